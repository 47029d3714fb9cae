import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parse, parseNormalizedNamed } from '../../reference/index.ts';
import { imageBackupName } from '../../controllers/api/image-backup-name.ts';
import type { ImageBackup } from '../../controllers/api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../../controllers/api/labels.ts';
import { frame } from './live-view.ts';
import { devView, type KindedWorkload, type ViewOptions } from './view-model.ts';

const BACKUP = 'backup.local:5000/lifeboat';
const options: ViewOptions = {
  eligibility: {
    excludedNamespaces: new Set(['legacy']),
    mapping: backupMapping({ backupRegistry: 'backup.local:5000', prefix: 'lifeboat' }),
  },
};
const READY = {
  observedGeneration: 1,
  replicas: 1,
  readyReplicas: 1,
  updatedReplicas: 1,
  availableReplicas: 1,
};

function deployment(
  namespace: string,
  name: string,
  image: string,
  originals?: object,
  rolledOut = true,
): KindedWorkload {
  return {
    kind: 'Deployment',
    workload: {
      metadata: {
        namespace,
        name,
        generation: 1,
        ...(originals ? { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(originals) } } : {}),
      },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image }] } } },
      status: rolledOut ? READY : { observedGeneration: 1, replicas: 1 },
    },
  };
}

function backup(source: string, status: ImageBackup['status']): ImageBackup {
  return {
    metadata: { name: imageBackupName(parse(source)) },
    spec: { source, target: `${BACKUP}/x` },
    ...(status ? { status } : {}),
  };
}

describe('devView', () => {
  it('says why each container is not on its backup yet, and counts only eligible workloads', () => {
    const view = devView(
      [
        deployment('shop', 'web', 'src.local/web:6', undefined, false),
        // Not rolled out, but its image has a Ready backup: moved without waiting (issue 15).
        deployment('shop', 'late', 'src.local/nginx:1', undefined, false),
        deployment('shop', 'due', 'src.local/nginx:1'),
        deployment('shop', 'api', 'src.local/api:2'),
        deployment('shop', 'db', 'src.local/db:3'),
        deployment('shop', 'new', 'src.local/new:4'),
        deployment('legacy', 'old', 'src.local/nginx:1'),
        deployment('shop', 'done', `${BACKUP}/src.local/ok:5@sha256:${'a'.repeat(64)}`, {
          app: 'src.local/ok:5',
        }),
      ],
      [
        backup('src.local/nginx:1', { phase: 'Ready', targetDigest: `sha256:${'b'.repeat(64)}` }),
        backup('src.local/api:2', {
          phase: 'Copying',
          blobsDone: 2,
          blobsTotal: 5,
          bytesDone: 10,
          bytesTotal: 40,
        }),
        backup('src.local/db:3', { phase: 'Failed', lastError: 'HTTP 403 from src.local' }),
        backup('src.local/ok:5', { phase: 'Ready' }),
      ],
      options,
    );
    const pending = Object.fromEntries(
      view.rows.map((r) => [r.workload, [r.backup, r.rewritten, r.pending]]),
    );
    assert.deepEqual(pending, {
      'legacy/Deployment/old': ['Ready', false, 'excluded namespace'],
      'shop/Deployment/api': ['Copying', false, 'copying 2/5 blobs'],
      'shop/Deployment/db': ['Failed', false, 'copy failed: HTTP 403 from src.local'],
      'shop/Deployment/done': ['Ready', true, ''],
      'shop/Deployment/due': ['Ready', false, 'backup ready; the rewrite is due'],
      'shop/Deployment/new': ['-', false, 'no backup yet'],
      'shop/Deployment/late': ['Ready', false, 'backup ready; the rewrite is due'],
      'shop/Deployment/web': ['-', false, 'waiting for the rollout (--require-ready)'],
    });
    assert.equal(view.eligible, 7);
    assert.equal(view.rewritten, 1);
    assert.deepEqual(view.copies, [
      { source: 'src.local/api:2', bytesDone: 10, bytesTotal: 40, blobsDone: 2, blobsTotal: 5 },
    ]);
  });

  it('draws a bar per copy in flight and a table row per container', () => {
    const view = devView(
      [deployment('shop', 'api', 'src.local/api:2')],
      [
        backup('src.local/api:2', {
          phase: 'Copying',
          blobsDone: 1,
          blobsTotal: 4,
          bytesDone: 1,
          bytesTotal: 4,
        }),
      ],
      options,
    );
    const lines = frame(view, '');
    assert.equal(lines[0], 'Copies in flight:');
    assert.match(lines[1]!, /^ {2}\[#{4}\.{12}\] 0\.0\/0\.0 MiB 1\/4 blobs {2}src\.local\/api:2$/);
    assert.deepEqual(lines.slice(-3), [
      'NAMESPACE  WORKLOAD        BACKUP   REWRITTEN',
      'shop       deployment/api  Copying  no',
      '  app: src.local/api:2 (copying 1/4 blobs)',
    ]);
  });
});

describe('devView on familiar names', () => {
  it('finds the backup of `nginx:1.25` under the name the controller gives it', () => {
    const view = devView(
      [deployment('shop', 'web', 'nginx:1.25')],
      [
        {
          metadata: { name: imageBackupName(parseNormalizedNamed('nginx:1.25')) },
          spec: { source: 'docker.io/library/nginx:1.25', target: `${BACKUP}/docker.io/library/nginx:1.25` },
          status: { phase: 'Copying', blobsDone: 1, blobsTotal: 3 },
        },
      ],
      options,
    );
    assert.deepEqual(
      view.rows.map((r) => [r.workload, r.backup, r.pending]),
      [['shop/Deployment/web', 'Copying', 'copying 1/3 blobs']],
    );
  });
});
