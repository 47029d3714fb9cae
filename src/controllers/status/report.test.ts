import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { desiredImageBackup } from '../workloads/desired-backup.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { statusReport, type StatusInput } from './report.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const LIFEBOAT = 'lifeboat.dev/lifeboat';

function backupOf(image: string, extra: Partial<ImageBackup> = {}): ImageBackup {
  return { ...desiredImageBackup(parseNormalizedNamed(image), { mapping }), ...extra };
}
const cron = (namespace: string, name: string, image: string) => ({
  kind: 'CronJob' as const,
  object: {
    metadata: { namespace, name },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image }] } } } } },
  },
});

const input: StatusInput = {
  workloads: [
    cron('shop', 'zeta', 'nginx:1.25'),
    cron('shop', 'alpha', 'redis:7'),
    cron('blog', 'posts', 'nginx:1.25'),
    // Its namespace was not listed: left for the next run.
    cron('new', 'late', 'nginx:1.25'),
  ],
  namespaces: [{ metadata: { name: 'shop' } }, { metadata: { name: 'blog' } }],
  imageBackups: [
    backupOf('redis:7'),
    backupOf('nginx:1.25', {
      status: { phase: 'Copying', progress: '1/2 blobs, 50%', bytesTotal: 2048, attempts: 1 },
      metadata: { name: backupOf('nginx:1.25').metadata.name, creationTimestamp: '2026-01-01T00:00:00Z' },
    }),
    backupOf('busybox:1.37'),
  ],
  events: [],
  reportingController: LIFEBOAT,
  eligibility: { excludedNamespaces: new Set(), mapping },
};

it('sorts workloads by namespace, kind and name, backups by name, and says who uses each backup', () => {
  const report = statusReport(input);
  assert.deepEqual(
    report.workloads.map((w) => `${w.namespace}/${w.name} ${w.state}`),
    ['blog/posts WaitingForCopy', 'shop/alpha WaitingForCopy', 'shop/zeta WaitingForCopy'],
  );
  const nginx = backupOf('nginx:1.25').metadata.name;
  assert.deepEqual(
    report.imageBackups.map((b) => b.name),
    [backupOf('busybox:1.37').metadata.name, nginx, backupOf('redis:7').metadata.name].sort(),
  );
  assert.deepEqual(
    report.imageBackups.find((b) => b.name === nginx),
    {
      name: nginx,
      source: 'docker.io/library/nginx:1.25',
      target: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25',
      phase: 'Copying',
      sourceState: 'unchecked',
      progress: '1/2 blobs, 50%',
      bytesTotal: 2048,
      attempts: 1,
      createdAt: '2026-01-01T00:00:00Z',
      usedBy: ['CronJob/blog/posts', 'CronJob/shop/zeta'],
    },
  );
  assert.equal(
    report.imageBackups.find((b) => b.name.startsWith('docker.io-library-busybox'))?.phase,
    'Pending',
  );
});

it('with a namespace, shows its workloads and only the backups they use', () => {
  const report = statusReport({ ...input, onlyNamespace: 'shop' });
  assert.deepEqual(
    report.workloads.map((w) => w.name),
    ['alpha', 'zeta'],
  );
  assert.deepEqual(
    report.imageBackups.map((b) => b.source),
    ['docker.io/library/nginx:1.25', 'docker.io/library/redis:7'],
  );
});
