import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusReport } from '../controllers/status/index.ts';
import { alignTable, statusJson, statusTables } from './status-output.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');

const report: StatusReport = {
  imageBackups: [
    {
      name: 'docker.io-library-nginx-1.25-abc',
      source: 'docker.io/library/nginx:1.25',
      target: 'backup.example.com/lb/docker.io/library/nginx:1.25',
      phase: 'Failed',
      sourceState: 'gone',
      attempts: 3,
      lastError: '401 from\nregistry-1.docker.io',
      createdAt: '2026-01-01T00:55:30Z',
      usedBy: ['Deployment/shop/web'],
    },
    {
      name: 'docker.io-library-redis-7-def',
      source: 'docker.io/library/redis:7',
      target: 'backup.example.com/lb/docker.io/library/redis:7',
      phase: 'Ready',
      sourceState: 'changed',
      sourceCheckedAt: '2026-01-01T00:59:00Z',
      sourceLatestDigest: 'sha256:bb',
      progress: '3/3 blobs, 100%',
      bytesTotal: 1536,
      targetDigest: 'sha256:aa',
      private: true,
      createdAt: '2025-12-29T00:00:00Z',
      usedBy: [],
    },
  ],
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      state: 'CopyFailed',
      reason: 'app: docker.io/library/nginx:1.25: 401',
      images: [
        {
          container: 'app',
          init: false,
          image: 'nginx:1.25',
          action: 'backup',
          target: 'backup.example.com/x:1.25',
        },
        { container: 'dbg', init: false, image: 'debug:1', action: 'skip', skipReason: 'excluded-image' },
        {
          container: 'db',
          init: false,
          image: 'backup.example.com/y:7',
          action: 'on-backup',
          original: 'redis:7',
        },
      ],
      backups: [],
    },
  ],
};

describe('status output', () => {
  it('aligns columns as kubectl: widest cell plus 3, at least 6, last column unpadded, <none> for blanks', () => {
    assert.equal(
      alignTable([
        ['A', 'LONGER-HEADER', 'LAST'],
        ['B', 'C', 'D'],
        ['value', '', 'x'],
      ]),
      ['A       LONGER-HEADER   LAST', 'B       C               D', 'value   <none>          x'].join('\n'),
    );
  });

  it('prints the default columns', () => {
    assert.equal(
      statusTables(report, { wide: false, now: NOW }),
      [
        'NAME                               SOURCE                         PHASE    SOURCE-STATE   PROGRESS          SIZE      AGE',
        'docker.io-library-nginx-1.25-abc   docker.io/library/nginx:1.25   Failed   gone           <none>            <none>    4m30s',
        'docker.io-library-redis-7-def      docker.io/library/redis:7      Ready    changed        3/3 blobs, 100%   1.5 KiB   3d1h',
        '',
        'NAMESPACE   KIND/NAME        STATE        REASON',
        'shop        deployment/web   CopyFailed   app: docker.io/library/nginx:1.25: 401',
        '',
      ].join('\n'),
    );
  });

  it('adds the wide columns at the end', () => {
    const lines = statusTables(report, { wide: true, now: NOW }).split('\n');
    assert.match(lines[0] ?? '', /AGE +TARGET +DIGEST +PRIVATE +ATTEMPTS +LAST-ERROR +SOURCE-CHECKED$/);
    assert.match(
      lines[1] ?? '',
      /4m30s +backup\.example\.com\/lb\/docker\.io\/library\/nginx:1\.25 +<none> +<none> +3 +401 from registry-1\.docker\.io +<none>$/,
    );
    assert.match(lines[2] ?? '', / sha256:aa +true +0 +<none> +60s$/);
    assert.match(lines[4] ?? '', /REASON +IMAGES +BACKUPS$/);
    assert.match(
      lines[5] ?? '',
      / nginx:1\.25,debug:1,redis:7 +backup\.example\.com\/x:1\.25,-,backup\.example\.com\/y:7$/,
    );
  });

  it('says when a table is empty', () => {
    assert.equal(
      statusTables({ imageBackups: [], workloads: [] }, { wide: false, now: NOW }),
      'No ImageBackups found.\n\nNo workloads found.\n',
    );
  });

  it('prints JSON as the report is, without ages', () => {
    assert.deepEqual(JSON.parse(statusJson(report)), JSON.parse(JSON.stringify(report)));
    assert.ok(statusJson(report).endsWith('}\n'));
  });
});
