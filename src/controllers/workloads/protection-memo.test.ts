import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { backupSource } from '../api/backup-source.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { DecisionOptions, WorkloadSnapshot } from './decide.ts';
import type { EligibilityWorkload } from './eligibility.ts';
import { createProtectionMemo } from './protection-memo.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OPTIONS: DecisionOptions = {
  eligibility: { excludedNamespaces: new Set(), mapping },
  pinDigest: true,
  dryRun: false,
};
const key = backupSource(parseNormalizedNamed('nginx:1.25'));
const NAME = imageBackupName(key);
const backup = (phase: 'Ready' | 'Pending'): ImageBackup => ({
  metadata: { name: NAME },
  spec: { source: key.string(), target: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25' },
  status: { phase, targetDigest: DIGEST },
});
const workload = (): EligibilityWorkload => ({
  metadata: {
    name: 'web',
    namespace: 'team',
    annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: 'nginx:1.25' }) },
  },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'app', image: `backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25@${DIGEST}` },
        ],
      },
    },
  },
  status: { observedGeneration: 0, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
});

/** A cache whose lookups are counted, as the informer's `get`. */
function cache(initial: ImageBackup[]) {
  const items = new Map(initial.map((b) => [b.metadata.name, b]));
  let gets = 0;
  return {
    items,
    gets: () => gets,
    get(name: string) {
      gets++;
      return items.get(name);
    },
  };
}

it('keeps a verdict while the workload, namespace, backups read and pull secret are the same objects', () => {
  const protectionOf = createProtectionMemo(OPTIONS);
  const backups = cache([backup('Ready')]);
  const namespace: NamespaceObject = { metadata: { name: 'team' } };
  const w = workload();
  const snapshot = (o: Partial<WorkloadSnapshot> = {}): WorkloadSnapshot => ({
    kind: 'Deployment',
    workload: w,
    namespace,
    backups,
    pullSecretPresent: true,
    ...o,
  });
  assert.equal(protectionOf(snapshot()), 'protected');
  const decided = backups.gets();
  assert.equal(protectionOf(snapshot()), 'protected');
  assert.equal(backups.gets() - decided, 1, 'checked its one backup, not decided again');

  // The backup replaced in the cache (set back to Pending): decided again.
  backups.items.set(NAME, backup('Pending'));
  assert.equal(protectionOf(snapshot()), 'exposed');
  // The pull secret gone: decided again.
  backups.items.set(NAME, backup('Ready'));
  assert.equal(protectionOf(snapshot({ pullSecretPresent: false })), 'exposed');
  assert.equal(protectionOf(snapshot()), 'protected');
  // The namespace replaced (now excluded by its label).
  const ignored: NamespaceObject = { metadata: { name: 'team', labels: { 'lifeboat.dev/ignore': 'true' } } };
  assert.equal(protectionOf(snapshot({ namespace: ignored })), 'excluded');
  // Another object for the workload (an update): decided for it, whatever was kept for the old one.
  assert.equal(
    protectionOf(snapshot({ workload: { ...workload(), metadata: { name: 'web', namespace: 'team' } } })),
    'protected',
  );
});
