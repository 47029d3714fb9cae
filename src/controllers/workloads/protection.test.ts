import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { backupSource } from '../api/backup-source.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IGNORE_ANNOTATION, IGNORE_LABEL, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { decideWorkload, type DecisionOptions, type WorkloadSnapshot } from './decide.ts';
import type { EligibilityWorkload } from './eligibility.ts';
import { workloadProtection, type Protection } from './protection.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OPTIONS: DecisionOptions = {
  eligibility: {
    excludedNamespaces: new Set(['kube-system']),
    excludeImages: ['**/debug:*'],
    mapping,
  },
  pinDigest: true,
  pullSecretName: 'lifeboat-pull',
  dryRun: false,
};

const NGINX = 'nginx:1.25';
const REDIS = 'redis:7';
const onBackup = (image: string): string => {
  const key = backupSource(parseNormalizedNamed(image));
  return `${BACKUP}/${key.domain}/${key.path}:${key.tag ?? 'latest'}@${DIGEST}`;
};
const originals = (m: Record<string, string>) => ({ [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(m) });

function workload(
  images: Record<string, string>,
  o: { annotations?: Record<string, string>; rolledOut?: boolean } = {},
): EligibilityWorkload {
  return {
    metadata: { name: 'web', namespace: 'team', generation: 2, annotations: o.annotations ?? {} },
    spec: {
      replicas: 1,
      template: { spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image })) } },
    },
    status:
      o.rolledOut === false
        ? { observedGeneration: 2 }
        : { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
  };
}

function backup(image: string, phase: NonNullable<ImageBackup['status']>['phase']): ImageBackup {
  const key = backupSource(parseNormalizedNamed(image));
  return {
    metadata: { name: imageBackupName(key) },
    spec: { source: key.string(), target: `${BACKUP}/${key.domain}/${key.path}:${key.tag ?? 'latest'}` },
    status: { phase, targetDigest: DIGEST },
  };
}

interface Row {
  readonly why: string;
  readonly workload: EligibilityWorkload;
  readonly backups?: readonly ImageBackup[];
  readonly namespace?: NamespaceObject;
  readonly pullSecretPresent?: boolean;
  readonly want: Protection;
}

const REWRITTEN = workload({ app: onBackup(NGINX) }, { annotations: originals({ app: NGINX }) });

const ROWS: readonly Row[] = [
  {
    why: 'on a Ready backup with the pull secret: protected',
    workload: REWRITTEN,
    backups: [backup(NGINX, 'Ready')],
    want: 'protected',
  },
  {
    why: 'on a backup, the pull secret missing: exposed',
    workload: REWRITTEN,
    backups: [backup(NGINX, 'Ready')],
    pullSecretPresent: false,
    want: 'exposed',
  },
  {
    why: 'on a backup that is no longer Ready (set back to Pending, Failed): exposed',
    workload: REWRITTEN,
    backups: [backup(NGINX, 'Pending')],
    want: 'exposed',
  },
  {
    why: 'on a backup whose ImageBackup is gone: exposed',
    workload: REWRITTEN,
    want: 'exposed',
  },
  {
    why: 'an image someone else put in the backup registry counts as there',
    workload: workload({ app: `${BACKUP}/elsewhere/app:1` }),
    want: 'protected',
  },
  {
    why: 'one image on its backup, one excluded by --exclude-images: protected',
    workload: workload({ app: onBackup(NGINX), dbg: 'debug:1' }, { annotations: originals({ app: NGINX }) }),
    backups: [backup(NGINX, 'Ready')],
    want: 'protected',
  },
  {
    why: 'one image on its backup, one not yet: exposed',
    workload: workload({ app: onBackup(NGINX), cache: REDIS }, { annotations: originals({ app: NGINX }) }),
    backups: [backup(NGINX, 'Ready'), backup(REDIS, 'Copying')],
    want: 'exposed',
  },
  {
    why: 'every backup Ready, the rewrite due: exposed until it is made',
    workload: workload({ app: NGINX }),
    backups: [backup(NGINX, 'Ready')],
    want: 'exposed',
  },
  {
    why: 'not rolled out, no backup: exposed (eligible, held back)',
    workload: workload({ app: NGINX }, { rolledOut: false }),
    want: 'exposed',
  },
  {
    why: 'an invalid reference: exposed',
    workload: workload({ app: 'Nginx:1' }),
    want: 'exposed',
  },
  {
    why: 'reverted by another writer: exposed',
    workload: workload({ app: NGINX }, { annotations: originals({ app: NGINX }) }),
    backups: [backup(NGINX, 'Ready')],
    want: 'exposed',
  },
  {
    why: 'every image excluded by --exclude-images: excluded',
    workload: workload({ dbg: 'debug:1' }),
    want: 'excluded',
  },
  {
    why: 'an ignored workload: excluded, whatever it runs',
    workload: workload({ app: NGINX }, { annotations: { [IGNORE_ANNOTATION]: 'true' } }),
    want: 'excluded',
  },
  {
    why: 'an excluded namespace: excluded',
    workload: REWRITTEN,
    backups: [backup(NGINX, 'Ready')],
    namespace: { metadata: { name: 'kube-system' } },
    want: 'excluded',
  },
  {
    why: 'a namespace labelled lifeboat.dev/ignore: excluded',
    workload: workload({ app: NGINX }),
    namespace: { metadata: { name: 'team', labels: { [IGNORE_LABEL]: 'true' } } },
    want: 'excluded',
  },
  {
    why: 'a terminating namespace: excluded',
    workload: workload({ app: NGINX }),
    namespace: { metadata: { name: 'team' }, status: { phase: 'Terminating' } },
    want: 'excluded',
  },
];

describe('workloadProtection', () => {
  for (const row of ROWS) {
    it(row.why, () => {
      const snapshot: WorkloadSnapshot = {
        kind: 'Deployment',
        workload: row.workload,
        namespace: row.namespace ?? { metadata: { name: 'team' } },
        backups: new Map((row.backups ?? []).map((b) => [b.metadata.name, b])),
        pullSecretPresent: row.pullSecretPresent ?? true,
      };
      assert.equal(workloadProtection(decideWorkload(snapshot, OPTIONS), snapshot), row.want);
    });
  }

  it('a dry run gives the same verdicts', () => {
    for (const row of ROWS) {
      const snapshot: WorkloadSnapshot = {
        kind: 'Deployment',
        workload: row.workload,
        namespace: row.namespace ?? { metadata: { name: 'team' } },
        backups: new Map((row.backups ?? []).map((b) => [b.metadata.name, b])),
        pullSecretPresent: row.pullSecretPresent ?? true,
      };
      const dry = decideWorkload(snapshot, { ...OPTIONS, dryRun: true });
      assert.equal(workloadProtection(dry, snapshot), row.want, row.why);
    }
  });
});
