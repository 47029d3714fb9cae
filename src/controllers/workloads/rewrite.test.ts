import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { backupSource } from '../api/backup-source.ts';
import { CHANGE_CAUSE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { workloadEligibility, type EligibilityOptions, type EligibilityWorkload } from './eligibility.ts';
import { applyPatch } from './json-patch.test-support.ts';
import { planRewrite, type RewritePlanFlags, type RewritePlan } from './rewrite.ts';
import type { WorkloadKind } from '../api/workload-types.ts';

/** Containers as the tests edit them (mutable, with a field lifeboat never touches). */
interface TestContainer {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const ns: NamespaceObject = { metadata: { name: 'team' } };
const eligibilityOptions: EligibilityOptions = {
  excludedNamespaces: new Set(['kube-system']),
  excludeImages: ['internal.corp/**'],
  mapping,
};
const options: RewritePlanFlags = { mapping, pinDigest: true, pullSecretName: 'lifeboat-pull' };

const PAUSE = `registry.k8s.io/pause@${digest('b')}`;
const TAGGED_PINNED = `quay.io/team/tool:2@${digest('c')}`;
const BACKED_REDIS = `${BACKUP}/docker.io/library/redis:7@${digest('e')}`;

/** A rolled-out Deployment with one image of every kind the plan distinguishes. */
function mixed(extra: { annotations?: Record<string, string>; containers?: TestContainer[] } = {}) {
  return {
    metadata: {
      name: 'web',
      namespace: 'team',
      generation: 3,
      annotations: extra.annotations ?? {
        owner: 'team-a',
        [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ cache: 'redis:7' }),
      },
    },
    spec: {
      replicas: 1,
      template: {
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }] as TestContainer[],
          containers:
            extra.containers ??
            ([
              { name: 'app', image: 'nginx:1.25', env: [{ name: 'MODE', value: 'a' }] },
              { name: 'pause', image: PAUSE },
              { name: 'tool', image: TAGGED_PINNED },
              { name: 'agent', image: 'internal.corp/agent:1' },
              { name: 'cache', image: BACKED_REDIS },
            ] as TestContainer[]),
        },
      },
    },
    status: { observedGeneration: 3, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
  } satisfies EligibilityWorkload & Record<string, unknown>;
}

const nameOf = (image: string): string => imageBackupName(backupSource(parseNormalizedNamed(image)));

/** Ready backups for `images`, each holding the digest the source pins, or `fallback`. */
function readyBackups(images: string[], fallback = digest('f')): Map<string, ImageBackup> {
  const out = new Map<string, ImageBackup>();
  for (const image of images) {
    const ref = parseNormalizedNamed(image);
    const key = backupSource(ref);
    const target = `${BACKUP}/${key.domain}/${key.path}${key.tag ? `:${key.tag}` : `@${key.digest}`}`;
    out.set(nameOf(image), {
      metadata: { name: nameOf(image) },
      spec: { source: key.string(), target },
      status: { phase: 'Ready', targetDigest: ref.digest ?? fallback },
    });
  }
  return out;
}

const TO_BACK_UP = ['busybox:1.36', 'nginx:1.25', PAUSE, TAGGED_PINNED];

function plan(
  workload: EligibilityWorkload,
  backups: Map<string, ImageBackup>,
  o: Partial<RewritePlanFlags> = {},
  kind: WorkloadKind = 'Deployment',
): RewritePlan {
  return planRewrite({
    kind,
    workload,
    eligibility: workloadEligibility(kind, workload, ns, eligibilityOptions),
    backups,
    options: { ...options, ...o },
  });
}

test('no backups yet: one per distinct source to back up, plus the original of the image in use; no patch', () => {
  const p = plan(mixed(), new Map());
  assert.deepEqual(
    p.backups.map((b) => [b.desired.spec.source, b.current]),
    [
      ['docker.io/library/busybox:1.36', undefined],
      ['docker.io/library/nginx:1.25', undefined],
      [PAUSE, undefined],
      [TAGGED_PINNED, undefined],
      ['docker.io/library/redis:7', undefined],
    ],
  );
  assert.deepEqual(
    p.rewrites.map((r) => [r.container, r.target]),
    [
      ['init', undefined],
      ['app', undefined],
      ['pause', undefined],
      ['tool', undefined],
    ],
  );
  assert.equal(p.ready, false);
  assert.deepEqual(p.patch, []);
  // What a dry run reports: the targets without the digest a copy has yet to give.
  assert.deepEqual(
    p.rewrites.map((r) => r.preview),
    [
      `${BACKUP}/docker.io/library/busybox:1.36`,
      `${BACKUP}/docker.io/library/nginx:1.25`,
      `${BACKUP}/registry.k8s.io/pause@${digest('b')}`,
      `${BACKUP}/quay.io/team/tool:2@${digest('c')}`,
    ],
  );
});

test('a shared image needs one backup; a backup not Ready yet holds the patch back', () => {
  const twice = mixed({
    containers: [
      { name: 'a', image: 'nginx:1.25' },
      { name: 'b', image: 'docker.io/library/nginx:1.25' },
    ],
  });
  assert.equal(plan(twice, new Map()).backups.length, 2); // nginx once, busybox once
  for (const phase of ['Pending', 'Copying', 'Failed'] as const) {
    const backups = readyBackups(TO_BACK_UP);
    const nginx = backups.get(nameOf('nginx:1.25'))!;
    backups.set(nginx.metadata.name, { ...nginx, status: { ...nginx.status, phase } });
    const p = plan(mixed(), backups);
    assert.equal(p.ready, false, phase);
    assert.deepEqual(p.patch, [], phase);
  }
  const noDigest = readyBackups(TO_BACK_UP);
  const busybox = noDigest.get(nameOf('busybox:1.36'))!;
  noDigest.set(busybox.metadata.name, { ...busybox, status: { phase: 'Ready' } });
  assert.equal(plan(mixed(), noDigest).ready, false, 'Ready without targetDigest');
});

test('all Ready: one patch moves exactly the images to back up and records the originals', () => {
  const p = plan(mixed(), readyBackups(TO_BACK_UP));
  assert.equal(p.ready, true);
  const after = applyPatch(mixed(), p.patch);
  const spec = after.spec.template.spec;
  assert.deepEqual(
    [...spec.initContainers, ...spec.containers].map((c) => [c.name, c.image]),
    [
      ['init', `${BACKUP}/docker.io/library/busybox:1.36@${digest('f')}`],
      ['app', `${BACKUP}/docker.io/library/nginx:1.25@${digest('f')}`],
      ['pause', `${BACKUP}/registry.k8s.io/pause@${digest('b')}`],
      ['tool', `${BACKUP}/quay.io/team/tool:2@${digest('c')}`],
      ['agent', 'internal.corp/agent:1'],
      ['cache', BACKED_REDIS],
    ],
  );
  assert.deepEqual((after.spec.template.spec as { imagePullSecrets?: unknown }).imagePullSecrets, [
    { name: 'lifeboat-pull' },
  ]);
  assert.deepEqual(after.metadata.annotations, {
    owner: 'team-a',
    [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({
      init: 'busybox:1.36',
      app: 'nginx:1.25',
      pause: PAUSE,
      tool: TAGGED_PINNED,
      cache: 'redis:7',
    }),
    [CHANGE_CAUSE_ANNOTATION]: 'lifeboat: images moved to backup registry backup.example.com:5000',
  });
  assert.deepEqual(spec.containers[0]?.env, [{ name: 'MODE', value: 'a' }]);
  // Every replaced image is tested first: the patch is refused whole when any of them changed.
  const tested = p.patch.filter((op) => op.op === 'test').map((op) => op.path);
  for (const path of [
    '/spec/template/spec/initContainers/0/image',
    '/spec/template/spec/containers/0/image',
    '/spec/template/spec/containers/1/image',
    '/spec/template/spec/containers/2/image',
    '/spec/template/spec/imagePullSecrets',
  ]) {
    assert.ok(tested.includes(path), path);
  }
});

test('without --pin-digest: {mapped}:{tag}; a digest the source pins is kept; no pull secret when none is configured', () => {
  const p = plan(mixed(), readyBackups(TO_BACK_UP), { pinDigest: false, pullSecretName: undefined });
  const after = applyPatch(mixed(), p.patch);
  assert.deepEqual(
    [...after.spec.template.spec.initContainers, ...after.spec.template.spec.containers]
      .slice(0, 4)
      .map((c) => c.image),
    [
      `${BACKUP}/docker.io/library/busybox:1.36`,
      `${BACKUP}/docker.io/library/nginx:1.25`,
      `${BACKUP}/registry.k8s.io/pause@${digest('b')}`,
      `${BACKUP}/quay.io/team/tool:2@${digest('c')}`,
    ],
  );
  assert.equal((after.spec.template.spec as { imagePullSecrets?: unknown }).imagePullSecrets, undefined);
});

test("a user's concurrent edit: a changed image refuses the patch; an edit elsewhere survives it", () => {
  const p = plan(mixed(), readyBackups(TO_BACK_UP));
  const imageEdited = mixed();
  imageEdited.spec.template.spec.containers[0]!.image = 'nginx:1.27';
  assert.throws(() => applyPatch(imageEdited, p.patch), /test failed/);
  const secretsEdited = mixed();
  Object.assign(secretsEdited.spec.template.spec, { imagePullSecrets: [{ name: 'theirs' }] });
  assert.throws(() => applyPatch(secretsEdited, p.patch), /test failed/);
  const envEdited = mixed();
  envEdited.spec.template.spec.containers[0]!.env = [{ name: 'MODE', value: 'b' }];
  const after = applyPatch(envEdited, p.patch);
  assert.deepEqual(after.spec.template.spec.containers[0]?.env, [{ name: 'MODE', value: 'b' }]);
  assert.match(after.spec.template.spec.containers[0].image, /^backup\.example\.com:5000\//);
});

test('a backup holding another digest than the source pins is not its copy', () => {
  const backups = readyBackups(TO_BACK_UP);
  const tool = backups.get(nameOf(TAGGED_PINNED))!;
  backups.set(tool.metadata.name, { ...tool, status: { phase: 'Ready', targetDigest: digest('9') } });
  assert.equal(plan(mixed(), backups).ready, false);
});

test('an existing backup is taken as it is: the plan only names what to create', () => {
  const workload = mixed();
  Object.assign(workload.spec.template.spec, { imagePullSecrets: [{ name: 'regcred' }] });
  const backups = readyBackups(TO_BACK_UP, digest('f'));
  const p = plan(workload, backups);
  for (const need of p.backups) {
    assert.deepEqual(Object.keys(need).sort(), ['current', 'desired'], need.desired.metadata.name);
    // The same object whichever workload (and namespace) asks: nothing names who uses it.
    assert.deepEqual(Object.keys(need.desired.spec).sort(), ['source', 'target']);
  }
  assert.ok(p.backups.every((b) => b.current === backups.get(b.desired.metadata.name)));
});

test('a workload already on its backups: no rewrite, no patch, its backups in use still ensured', () => {
  const onBackups = mixed({
    annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: 'nginx:1.25', cache: 'redis:7' }) },
    containers: [
      { name: 'app', image: `${BACKUP}/docker.io/library/nginx:1.25@${digest('f')}` },
      { name: 'cache', image: BACKED_REDIS },
    ],
  });
  onBackups.spec.template.spec.initContainers = [];
  const p = plan(onBackups, new Map());
  assert.deepEqual(p.rewrites, []);
  assert.deepEqual(p.patch, []);
  assert.deepEqual(
    p.backups.map((b) => b.desired.spec.source),
    ['docker.io/library/nginx:1.25', 'docker.io/library/redis:7'],
  );
  assert.deepEqual(p.onBackups, [
    { container: 'app', backupName: nameOf('nginx:1.25') },
    { container: 'cache', backupName: nameOf('redis:7') },
  ]);
});

test('not Ready (--require-ready): every image with a Ready backup plans the rewrite; one without holds all back', () => {
  const rolling = mixed();
  rolling.status.readyReplicas = 0;
  const all = plan(rolling, readyBackups([...TO_BACK_UP, 'redis:7']));
  assert.equal(all.ready, true, 'planned as an eligible workload');
  assert.deepEqual(
    all.rewrites.map((r) => r.container),
    ['init', 'app', 'pause', 'tool'],
  );
  assert.ok(all.patch.length > 0);
  assert.deepEqual(all.heldBack, []);

  const some = plan(rolling, readyBackups(['busybox:1.36', PAUSE, TAGGED_PINNED, 'redis:7']));
  assert.equal(some.ready, false);
  assert.deepEqual(some.rewrites, []);
  assert.deepEqual(some.patch, []);
  assert.deepEqual(
    some.heldBack.map((r) => [r.container, r.target === undefined]),
    [
      ['init', false],
      ['app', true],
      ['pause', false],
      ['tool', false],
    ],
    'what is held back, and which image has no Ready backup',
  );
  assert.deepEqual(
    some.backups.map((b) => b.desired.spec.source),
    ['docker.io/library/redis:7'],
    'nothing is created for an image never seen running: only the backup in use is ensured',
  );
});

test('hands off: excluded, ignored or unreadable workloads need nothing; one not Ready only its backups in use', () => {
  const ignored = mixed({ annotations: { 'lifeboat.dev/ignore': 'true' } });
  assert.deepEqual(plan(ignored, new Map()).backups, []);
  const invalid = mixed({ containers: [{ name: 'app', image: 'Nginx:1' }] });
  assert.deepEqual(plan(invalid, new Map()).backups, []);
  const excluded = planRewrite({
    kind: 'Deployment',
    workload: mixed(),
    eligibility: workloadEligibility(
      'Deployment',
      mixed(),
      { metadata: { name: 'kube-system' } },
      eligibilityOptions,
    ),
    backups: new Map(),
    options,
  });
  assert.deepEqual(excluded.backups, []);
  const rolling = mixed();
  rolling.status.readyReplicas = 0;
  const p = plan(rolling, new Map());
  assert.deepEqual(p.rewrites, []);
  assert.deepEqual(
    p.backups.map((b) => b.desired.spec.source),
    ['docker.io/library/redis:7'],
  );
});

test('a later rewrite keeps the originals of containers still on their backups and drops the others', () => {
  const workload = mixed({
    annotations: {
      [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ cache: 'redis:7', gone: 'x:1', app: 'nginx:1.20' }),
    },
    containers: [
      { name: 'app', image: 'nginx:1.25' },
      { name: 'cache', image: BACKED_REDIS },
    ],
  });
  workload.spec.template.spec.initContainers = [];
  const p = plan(workload, readyBackups(['nginx:1.25']));
  const after = applyPatch(workload, p.patch);
  assert.equal(
    after.metadata.annotations[ORIGINAL_IMAGES_ANNOTATION],
    JSON.stringify({ app: 'nginx:1.25', cache: 'redis:7' }),
  );
});

test('a CronJob is patched at its job template', () => {
  const cron = {
    metadata: { name: 'nightly', namespace: 'team' },
    spec: {
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'alpine:3' }] } } } },
    },
  };
  const p = plan(cron, readyBackups(['alpine:3']), {}, 'CronJob');
  const after = applyPatch(cron, p.patch);
  assert.equal(
    after.spec.jobTemplate.spec.template.spec.containers[0]?.image,
    `${BACKUP}/docker.io/library/alpine:3@${digest('f')}`,
  );
});

test("B2: a forged originals annotation backs up nothing: the image must be lifeboat's backup of that original, and the filters apply", () => {
  const running = (images: Record<string, string>, originals: Record<string, string>) => {
    const w = mixed({
      annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(originals) },
      containers: Object.entries(images).map(([name, image]) => ({ name, image })),
    });
    w.spec.template.spec.initContainers = [];
    return w;
  };
  // A tenant's workload runs some image of the backup area (here nginx's backup) and claims another
  // namespace's private image as its "original": lifeboat must not copy that image for it.
  const forged = plan(
    running(
      { app: `${BACKUP}/docker.io/library/nginx:1.25@${digest('f')}` },
      { app: 'private.example.com/team-a/secret:1' },
    ),
    new Map(),
  );
  assert.deepEqual(
    forged.backups.map((b) => b.desired.spec.source),
    [],
    'the running image is not a backup of the claimed original',
  );
  assert.deepEqual(forged.onBackups, []);
  // Another tag of the same repository is not its backup either.
  const otherTag = plan(
    running({ app: `${BACKUP}/docker.io/library/nginx:1.25@${digest('f')}` }, { app: 'nginx:1.26' }),
    new Map(),
  );
  assert.deepEqual(otherTag.backups, []);
  // A genuine backup of an original that --exclude-images or --source-registries leaves out: not ensured.
  const excluded = plan(
    running({ app: `${BACKUP}/internal.corp/agent:1` }, { app: 'internal.corp/agent:1' }),
    new Map(),
    { excludeImages: ['internal.corp/**'] },
  );
  assert.deepEqual(excluded.backups, [], '--exclude-images applies to originals');
  const unselected = plan(
    running({ app: `${BACKUP}/docker.io/library/nginx:1.25` }, { app: 'nginx:1.25' }),
    new Map(),
    { sourceRegistries: ['quay.io'] },
  );
  assert.deepEqual(unselected.backups, [], '--source-registries applies to originals');
  // The genuine case still works (the backup in use is ensured).
  const genuine = plan(
    running({ app: `${BACKUP}/docker.io/library/nginx:1.25@${digest('f')}` }, { app: 'nginx:1.25' }),
    new Map(),
    { sourceRegistries: ['docker.io'] },
  );
  assert.deepEqual(
    genuine.backups.map((b) => b.desired.spec.source),
    ['docker.io/library/nginx:1.25'],
  );
});
