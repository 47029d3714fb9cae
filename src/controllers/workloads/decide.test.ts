import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, MappingError, parseNormalizedNamed } from '../../reference/index.ts';
import { backupSource } from '../api/backup-source.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IGNORE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { decideWorkload, type DecisionOptions, type Step, type WorkloadSnapshot } from './decide.ts';
import type { EligibilityWorkload } from './eligibility.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const nameOf = (image: string): string => imageBackupName(backupSource(parseNormalizedNamed(image)));
const OPTIONS: DecisionOptions = {
  eligibility: { excludedNamespaces: new Set(['kube-system']), mapping },
  pinDigest: true,
  pullSecretName: 'lifeboat-pull',
  dryRun: false,
};

function workload(
  images: Record<string, string>,
  o: { annotations?: Record<string, string>; rolledOut?: boolean } = {},
): EligibilityWorkload {
  return {
    metadata: { name: 'web', namespace: 'team', generation: 2, annotations: o.annotations ?? {} },
    spec: {
      replicas: 1,
      template: {
        spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image })) },
      },
    },
    status:
      o.rolledOut === false
        ? { observedGeneration: 2, updatedReplicas: 0 }
        : { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
  };
}

function backup(image: string, status?: ImageBackup['status']): ImageBackup {
  const key = backupSource(parseNormalizedNamed(image));
  return {
    metadata: { name: nameOf(image) },
    spec: { source: key.string(), target: `${BACKUP}/${key.domain}/${key.path}:${key.tag ?? 'latest'}` },
    ...(status ? { status } : {}),
  };
}
const ready = (image: string, extra: ImageBackup['status'] = {}): ImageBackup =>
  backup(image, { phase: 'Ready', targetDigest: digest('a'), ...extra });

function snapshot(w: EligibilityWorkload, o: Partial<WorkloadSnapshot> & { list?: ImageBackup[] } = {}) {
  const namespace: NamespaceObject = o.namespace ?? { metadata: { name: 'team' } };
  return {
    kind: 'Deployment' as const,
    workload: w,
    namespace,
    backups: new Map((o.list ?? []).map((b) => [b.metadata.name, b])),
    creating: o.creating,
    pullSecretPresent: o.pullSecretPresent ?? true,
  };
}

/** The step without what it carries that the row does not check. */
function summary(step: Step): unknown {
  switch (step.step) {
    case 'leave':
    case 'wait':
      return [step.step, step.reason];
    case 'report-invalid':
      return [step.step, step.invalid.map((i) => i.container)];
    case 'unmappable':
      return [step.step, step.error instanceof MappingError];
    case 'dry-run':
      return [step.step, step.create.map((b) => b.spec.source), step.rewrites.map((r) => r.preview)];
    case 'create-backups':
      return [step.step, step.create.map((b) => b.spec.source)];
    case 'skip-private':
    case 'check-readers':
      return [step.step, step.sources.map((p) => `${p.container}: ${p.source}`)];
    case 'rewrite':
      return [step.step, step.rewrites.map((r) => r.target), step.private.map((p) => p.source)];
    default:
      return [step.step];
  }
}

const NGINX = 'nginx:1.25';
const NGINX_SOURCE = 'docker.io/library/nginx:1.25';
const REDIS = 'redis:7';
const ON_BACKUP = `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`;

const ROWS: [
  why: string,
  snap: ReturnType<typeof snapshot>,
  options: Partial<DecisionOptions>,
  want: unknown,
][] = [
  [
    'an excluded namespace is left alone',
    snapshot(workload({ app: NGINX }), { namespace: { metadata: { name: 'kube-system' } } }),
    {},
    ['leave', 'namespace-excluded'],
  ],
  [
    'a terminating namespace is left alone',
    snapshot(workload({ app: NGINX }), {
      namespace: { metadata: { name: 'team' }, status: { phase: 'Terminating' } },
    }),
    {},
    ['leave', 'namespace-terminating'],
  ],
  [
    'an ignored workload is left alone',
    snapshot(workload({ app: NGINX }, { annotations: { [IGNORE_ANNOTATION]: 'true' } })),
    {},
    ['leave', 'ignored'],
  ],
  [
    'an invalid reference is reported, and nothing of the workload is backed up',
    snapshot(workload({ ok: NGINX, bad: 'Nginx:1' })),
    {},
    ['report-invalid', ['bad']],
  ],
  [
    "another writer's revert is reported and left",
    snapshot(
      workload({ app: NGINX }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      {
        list: [ready(NGINX)],
      },
    ),
    {},
    ['report-reverted'],
  ],
  [
    'a source that cannot be mapped is unmappable',
    snapshot(workload({ app: `example.com/${'a'.repeat(250)}:1` })),
    {},
    ['unmappable', true],
  ],
  [
    'dry run: what would be created and rewritten',
    snapshot(workload({ app: NGINX })),
    { dryRun: true },
    ['dry-run', [NGINX_SOURCE], [`${BACKUP}/docker.io/library/nginx:1.25`]],
  ],
  [
    'dry run with nothing to do',
    snapshot(
      workload({ app: ON_BACKUP }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      {
        list: [ready(NGINX)],
      },
    ),
    { dryRun: true },
    ['leave', 'dry-run-nothing-to-do'],
  ],
  [
    'a missing backup is created, once per distinct source',
    snapshot(workload({ app: NGINX, again: NGINX, cache: REDIS })),
    {},
    ['create-backups', [NGINX_SOURCE, 'docker.io/library/redis:7']],
  ],
  [
    'a backup this process is creating is waited for, not created again',
    snapshot(workload({ app: NGINX, cache: REDIS }), {
      creating: new Set([nameOf(NGINX)]),
      list: [ready(REDIS)],
    }),
    {},
    ['wait', 'creating'],
  ],
  [
    'only the backups not being created are created',
    snapshot(workload({ app: NGINX, cache: REDIS }), { creating: new Set([nameOf(NGINX)]) }),
    {},
    ['create-backups', ['docker.io/library/redis:7']],
  ],
  [
    'a backup still copying is waited for',
    snapshot(workload({ app: NGINX, cache: REDIS }), {
      list: [ready(NGINX), backup(REDIS, { phase: 'Copying' })],
    }),
    {},
    ['wait', 'copying'],
  ],
  [
    'a failed copy is waited for (the ImageBackup controller retries it)',
    snapshot(workload({ app: NGINX }), { list: [backup(NGINX, { phase: 'Failed' })] }),
    {},
    ['wait', 'copying'],
  ],
  [
    'not rolled out: the backups in use are ensured, nothing is moved',
    snapshot(
      workload(
        { app: ON_BACKUP, cache: REDIS },
        { rolledOut: false, annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } },
      ),
    ),
    {},
    ['create-backups', [NGINX_SOURCE]],
  ],
  [
    'not rolled out with its backups in place: left until it is',
    snapshot(workload({ app: NGINX }, { rolledOut: false })),
    {},
    ['leave', 'not-ready'],
  ],
  [
    'not rolled out, every image with a Ready backup: rewritten without waiting (a source gone, pods never Ready)',
    snapshot(workload({ app: NGINX, cache: REDIS }, { rolledOut: false }), {
      list: [ready(NGINX), ready(REDIS)],
    }),
    {},
    [
      'rewrite',
      [
        `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`,
        `${BACKUP}/docker.io/library/redis:7@${digest('a')}`,
      ],
      [],
    ],
  ],
  [
    'not rolled out, one image without a backup: none is created from a source never seen running',
    snapshot(workload({ app: NGINX, cache: REDIS }, { rolledOut: false }), { list: [ready(NGINX)] }),
    {},
    ['leave', 'not-ready'],
  ],
  [
    'not rolled out, one backup still copying: left until it is Ready',
    snapshot(workload({ app: NGINX, cache: REDIS }, { rolledOut: false }), {
      list: [ready(NGINX), backup(REDIS, { phase: 'Copying' })],
    }),
    {},
    ['leave', 'not-ready'],
  ],
  [
    'not rolled out, a Ready backup holding another digest than the source pins: left',
    snapshot(workload({ app: `nginx:1.25@${digest('b')}` }, { rolledOut: false }), {
      list: [ready(`nginx:1.25@${digest('b')}`)],
    }),
    {},
    ['leave', 'not-ready'],
  ],
  [
    'not rolled out, every backup Ready: still waits for the pull secret',
    snapshot(workload({ app: NGINX }, { rolledOut: false }), {
      list: [ready(NGINX)],
      pullSecretPresent: false,
    }),
    {},
    ['wait', 'pull-secret'],
  ],
  [
    'not rolled out, a private Ready backup: the readability check still comes first',
    snapshot(workload({ app: NGINX }, { rolledOut: false }), { list: [ready(NGINX, { private: true })] }),
    { privateImages: 'shared' },
    ['rewrite', [`${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`], [NGINX_SOURCE]],
  ],
  [
    'not rolled out, dry run: the rewrite it would make',
    snapshot(workload({ app: NGINX }, { rolledOut: false }), { list: [ready(NGINX)] }),
    { dryRun: true },
    ['dry-run', [], [`${BACKUP}/docker.io/library/nginx:1.25`]],
  ],
  [
    'not rolled out and nothing Ready, dry run: nothing would be done',
    snapshot(workload({ app: NGINX }, { rolledOut: false })),
    { dryRun: true },
    ['leave', 'dry-run-nothing-to-do'],
  ],
  [
    'already on its backups: left alone, never patched again',
    snapshot(
      workload({ app: ON_BACKUP }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      {
        list: [ready(NGINX)],
      },
    ),
    {},
    ['leave', 'nothing-to-back-up'],
  ],
  [
    'every backup Ready but the pull secret not in the namespace: waits',
    snapshot(workload({ app: NGINX }), { list: [ready(NGINX)], pullSecretPresent: false }),
    {},
    ['wait', 'pull-secret'],
  ],
  [
    'every backup Ready: the rewrite',
    snapshot(workload({ app: NGINX, cache: REDIS }), { list: [ready(NGINX), ready(REDIS)] }),
    {},
    [
      'rewrite',
      [
        `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`,
        `${BACKUP}/docker.io/library/redis:7@${digest('a')}`,
      ],
      [],
    ],
  ],
  [
    'a private backup is named for the readability check',
    snapshot(workload({ app: NGINX, cache: REDIS }), {
      list: [ready(NGINX, { private: true }), ready(REDIS)],
    }),
    { pinDigest: false, privateImages: 'shared' },
    [
      'rewrite',
      [`${BACKUP}/docker.io/library/nginx:1.25`, `${BACKUP}/docker.io/library/redis:7`],
      [NGINX_SOURCE],
    ],
  ],
  [
    '--private-images=isolated: a private backup is checked as in shared',
    snapshot(workload({ app: NGINX }), { list: [ready(NGINX, { private: true })] }),
    { privateImages: 'isolated' },
    ['rewrite', [`${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`], [NGINX_SOURCE]],
  ],
  [
    '--private-images=skip (the default): a private backup is never rewritten to',
    snapshot(workload({ app: NGINX, cache: REDIS }), {
      list: [ready(NGINX, { private: true }), ready(REDIS)],
    }),
    {},
    ['skip-private', [`app: ${NGINX_SOURCE}`]],
  ],
  [
    '--private-images=isolated, on a private backup whose readers lack the namespace: its access is checked',
    snapshot(
      workload({ app: ON_BACKUP }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      { list: [ready(NGINX, { private: true, readers: ['other'] })] },
    ),
    { privateImages: 'isolated' },
    ['check-readers', [`app: ${NGINX_SOURCE}`]],
  ],
  [
    '--private-images=isolated, on a private backup that lists the namespace: left alone',
    snapshot(
      workload({ app: ON_BACKUP }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      { list: [ready(NGINX, { private: true, readers: ['team'] })] },
    ),
    { privateImages: 'isolated' },
    ['leave', 'nothing-to-back-up'],
  ],
  [
    '--private-images=shared, on a private backup: no readers to keep',
    snapshot(
      workload({ app: ON_BACKUP }, { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' } }),
      { list: [ready(NGINX, { private: true })] },
    ),
    { privateImages: 'shared' },
    ['leave', 'nothing-to-back-up'],
  ],
  [
    '--private-images=skip: a public backup is rewritten to as ever',
    snapshot(workload({ app: NGINX }), { list: [ready(NGINX)] }),
    { privateImages: 'skip' },
    ['rewrite', [`${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`], []],
  ],
];

describe('decideWorkload', () => {
  for (const [why, snap, options, want] of ROWS) {
    it(why, () => {
      assert.deepEqual(summary(decideWorkload(snap, { ...OPTIONS, ...options })), want);
    });
  }

  it('the rewrite carries the one guarded patch; its eligibility and plan come along', () => {
    const d = decideWorkload(snapshot(workload({ app: NGINX }), { list: [ready(NGINX)] }), OPTIONS);
    assert.equal(d.step, 'rewrite');
    assert.ok(d.step === 'rewrite' && d.patch.some((op) => op.op === 'test'), 'guarded by test ops');
    assert.equal(d.eligibility.eligible, true);
    assert.deepEqual(d.plan?.patch, d.step === 'rewrite' ? d.patch : undefined);
  });

  it('only --private-images=skip asks for the anonymous HEAD before a create; only isolated records readers', () => {
    const missing = snapshot(workload({ app: NGINX }));
    const privateReady = snapshot(workload({ app: NGINX }), { list: [ready(NGINX, { private: true })] });
    for (const [mode, check, record] of [
      ['skip', true, undefined],
      ['shared', false, false],
      ['isolated', false, true],
    ] as const) {
      const create = decideWorkload(missing, { ...OPTIONS, privateImages: mode });
      assert.ok(create.step === 'create-backups' && create.anonymousCheck === check, mode);
      const rewrite = decideWorkload(privateReady, { ...OPTIONS, privateImages: mode });
      assert.equal(rewrite.step === 'rewrite' ? rewrite.recordReaders : undefined, record, mode);
    }
  });

  it('the same snapshot gives the same decision (pure)', () => {
    const snap = snapshot(workload({ app: NGINX }), { list: [ready(NGINX)] });
    assert.deepEqual(decideWorkload(snap, OPTIONS), decideWorkload(snap, OPTIONS));
  });
});

describe('decideWorkload in --rewrite-mode=pods', () => {
  const pods: DecisionOptions = { ...OPTIONS, rewriteMode: 'pods' };
  it('creates the backups a workload needs, as in workloads mode', () => {
    const d = decideWorkload(snapshot(workload({ app: 'nginx:1.25' })), pods);
    assert.deepEqual(summary(d), ['create-backups', ['docker.io/library/nginx:1.25']]);
  });
  it('waits for a copy as in workloads mode', () => {
    const s = snapshot(workload({ app: 'nginx:1.25' }), {
      list: [backup('nginx:1.25', { phase: 'Copying' })],
    });
    assert.deepEqual(summary(decideWorkload(s, pods)), ['wait', 'copying']);
  });
  it('never patches the workload once its backups are Ready: the webhook moves its Pods', () => {
    const s = snapshot(workload({ app: 'nginx:1.25' }), { list: [ready('nginx:1.25')] });
    assert.equal(decideWorkload(s, OPTIONS).step, 'rewrite');
    assert.deepEqual(summary(decideWorkload(s, pods)), ['leave', 'rewrite-mode-pods']);
  });
});
