import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { desiredImageBackup } from '../workloads/desired-backup.ts';
import type { ImageBackup, ImageBackupStatus } from '../api/image-backup-schema.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { podsOf, type PodSummary } from './workload-pods.ts';
import { workloadStatus, type StatusWorkload } from './workload-status.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const apps: NamespaceObject = { metadata: { name: 'apps' } };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const BACKED = `backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25@${DIGEST}`;

function backupOf(image: string, status: ImageBackupStatus): ImageBackup {
  return { ...desiredImageBackup(parseNormalizedNamed(image), { mapping }), status };
}

const deployment: StatusWorkload = {
  metadata: { name: 'web', namespace: 'apps', generation: 1 },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
  } as StatusWorkload['spec'],
  status: { observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 },
};

const pod = (
  name: string,
  image: string,
  extra: Partial<PodSummary['metadata']> = {},
  phase = 'Running',
): PodSummary => ({
  metadata: { name, namespace: 'apps', labels: { app: 'web' }, ...extra },
  spec: { containers: [{ name: 'app', image }] },
  status: { phase },
});

const statusOf = (backups: ImageBackup[], pods: PodSummary[], namespace = apps) =>
  workloadStatus({
    kind: 'Deployment',
    workload: deployment,
    namespace,
    backups: new Map(backups.map((b) => [b.metadata.name, b])),
    eligibility: { excludedNamespaces: new Set(), mapping },
    rewriteMode: 'pods',
    pods,
  });

describe('status in --rewrite-mode=pods', () => {
  const ready = backupOf('nginx:1.25', { phase: 'Ready', targetDigest: DIGEST });

  it('Protected: every image has a Ready backup and every running Pod runs from it', () => {
    const s = statusOf([ready], [pod('a', BACKED), pod('b', BACKED)]);
    assert.equal(s.state, 'Protected');
    assert.match(s.reason, /2\/2 running Pods run from backups/);
  });

  it('ProtectedOnRestart: a Pod created before its backup was Ready still runs the original', () => {
    const s = statusOf([ready], [pod('a', BACKED), pod('b', 'nginx:1.25')]);
    assert.equal(s.state, 'ProtectedOnRestart');
    assert.match(s.reason, /1\/2 running Pods/);
  });

  it('Protected with no Pods running (a CronJob between runs): new Pods are moved at creation', () => {
    assert.equal(statusOf([ready], []).state, 'Protected');
  });

  it('waits for the copy as in workloads mode', () => {
    const s = statusOf([backupOf('nginx:1.25', { phase: 'Copying', progress: '1/2 blobs' })], []);
    assert.equal(s.state, 'WaitingForCopy');
  });

  it('a private backup the namespace may not read: its Pods keep the originals', () => {
    const secret = backupOf('nginx:1.25', {
      phase: 'Ready',
      targetDigest: DIGEST,
      private: true,
      readers: ['other'],
    });
    const s = statusOf([secret], [pod('a', 'nginx:1.25')]);
    assert.equal(s.state, 'AccessDenied');
    assert.match(s.reason, /apps is not among its readers/);
    const reader = backupOf('nginx:1.25', {
      phase: 'Ready',
      targetDigest: DIGEST,
      private: true,
      readers: ['apps'],
    });
    assert.equal(statusOf([reader], [pod('a', BACKED)]).state, 'Protected');
  });
});

describe('podsOf', () => {
  it("picks the workload's running Pods by its selector, in its namespace", () => {
    const pods = [
      pod('mine', BACKED),
      pod('other-app', BACKED, { labels: { app: 'api' } }),
      pod('other-ns', BACKED, { namespace: 'elsewhere' }),
      pod('going', BACKED, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      pod('done', BACKED, {}, 'Succeeded'),
    ];
    assert.deepEqual(
      podsOf('Deployment', deployment, pods).map((p) => p.metadata?.name),
      ['mine'],
    );
  });

  it("picks a CronJob's Pods by its Jobs' job-name label", () => {
    const cron = { metadata: { name: 'nightly', namespace: 'apps' }, spec: {} };
    const pods = [
      pod('run', BACKED, { labels: { 'batch.kubernetes.io/job-name': 'nightly-29001' } }),
      pod('other', BACKED, { labels: { 'batch.kubernetes.io/job-name': 'hourly-29001' } }),
    ];
    assert.deepEqual(
      podsOf('CronJob', cron, pods).map((p) => p.metadata?.name),
      ['run'],
    );
  });

  it('a workload without selector labels selects nothing', () => {
    assert.deepEqual(
      podsOf('Deployment', { metadata: { name: 'x', namespace: 'apps' }, spec: {} }, [pod('a', BACKED)]),
      [],
    );
  });
});
