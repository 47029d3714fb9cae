import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { backupSource } from '../api/backup-source.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { JsonPatchOp } from '../api/workload-types.ts';
import { decidePodAdmission, type PodAdmissionOptions } from './decide.ts';
import type { PodLike } from './pod.ts';
import { parseLabelSelector, type LabelSelector } from '../../kube/index.ts';
import type { NamespaceObject } from '../api/core-objects.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const options: PodAdmissionOptions = {
  mapping,
  pinDigest: true,
  pullSecretName: 'lifeboat-pull',
  excludedNamespaces: new Set(['kube-system']),
};

function backupOf(image: string, status: ImageBackup['status']): ImageBackup {
  const source = backupSource(parseNormalizedNamed(image));
  return {
    metadata: { name: imageBackupName(source) },
    spec: { source: source.string(), target: `${BACKUP}/${source.string().replace(/^([^/]+)\//, '$1/')}` },
    status,
  };
}

const ready = (d: string, extra: Partial<NonNullable<ImageBackup['status']>> = {}) => ({
  phase: 'Ready' as const,
  targetDigest: d,
  ...extra,
});

const BACKUPS = new Map(
  [
    backupOf('nginx:1.25', ready(digest('a'))),
    backupOf('busybox:1.36', ready(digest('b'))),
    backupOf('redis:7', { phase: 'Copying' }),
    backupOf(`quay.io/team/tool@${digest('c')}`, ready(digest('c'))),
    backupOf(`quay.io/team/other@${digest('d')}`, ready(digest('e'))),
    backupOf('private.example.com/app:1', ready(digest('f'), { private: true, readers: ['trusted'] })),
  ].map((b) => [b.metadata.name, b]),
);

/** Applies an admission patch as the API server does (add/replace only; no tests are sent). */
function applyPatch(doc: PodLike, ops: readonly JsonPatchOp[]): PodLike {
  const root = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    assert.ok(op.op === 'add' || op.op === 'replace', `unexpected op ${op.op}`);
    const tokens = op.path
      .split('/')
      .slice(1)
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const key = tokens.pop()!;
    let parent: unknown = root;
    for (const t of tokens) parent = (parent as Record<string, unknown>)[t];
    assert.ok(parent !== null && typeof parent === 'object', `missing path ${op.path}`);
    if (Array.isArray(parent) && key === '-') parent.push(op.value);
    else {
      if (op.op === 'replace') assert.ok(Object.hasOwn(parent, key), `replace of missing ${op.path}`);
      (parent as Record<string, unknown>)[key] = op.value;
    }
  }
  return root;
}

function pod(
  containers: string[],
  extra: {
    init?: string[];
    ephemeral?: string[];
    annotations?: Record<string, string>;
    pullSecrets?: string[];
  } = {},
): PodLike {
  return {
    metadata: { generateName: 'web-', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      containers: containers.map((image, i) => ({ name: `c${i}`, image })),
      ...(extra.init ? { initContainers: extra.init.map((image, i) => ({ name: `i${i}`, image })) } : {}),
      ...(extra.ephemeral
        ? { ephemeralContainers: extra.ephemeral.map((image, i) => ({ name: `e${i}`, image })) }
        : {}),
      ...(extra.pullSecrets ? { imagePullSecrets: extra.pullSecrets.map((name) => ({ name })) } : {}),
    },
  };
}

const decide = (p: PodLike, namespace = 'team') =>
  decidePodAdmission({ pod: p, namespace, backups: BACKUPS, options });

const cases: {
  name: string;
  pod: PodLike;
  namespace?: string;
  images: Record<string, string>;
  pullSecrets?: string[];
  originals?: Record<string, string>;
}[] = [
  {
    name: 'a container and an init container with Ready backups move to {mapped}:{tag}@{digest}',
    pod: pod(['nginx:1.25'], { init: ['busybox:1.36'] }),
    images: {
      c0: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`,
      i0: `${BACKUP}/docker.io/library/busybox:1.36@${digest('b')}`,
    },
    pullSecrets: ['lifeboat-pull'],
    originals: { i0: 'busybox:1.36', c0: 'nginx:1.25' },
  },
  {
    name: 'an image whose backup is not Ready stays; the others move',
    pod: pod(['redis:7', 'nginx:1.25']),
    images: { c0: 'redis:7', c1: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c1: 'nginx:1.25' },
  },
  {
    name: 'an image with no backup at all stays, and nothing is added',
    pod: pod(['ghcr.io/x/unknown:1']),
    images: { c0: 'ghcr.io/x/unknown:1' },
  },
  {
    name: 'a digest-only source moves to its backup by that digest',
    pod: pod([`quay.io/team/tool@${digest('c')}`]),
    images: { c0: `${BACKUP}/quay.io/team/tool@${digest('c')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c0: `quay.io/team/tool@${digest('c')}` },
  },
  {
    name: 'a backup holding another digest than the source pins is not its copy',
    pod: pod([`quay.io/team/other@${digest('d')}`]),
    images: { c0: `quay.io/team/other@${digest('d')}` },
  },
  {
    name: 'ephemeral containers are untouched',
    pod: pod(['nginx:1.25'], { ephemeral: ['busybox:1.36'] }),
    images: { c0: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`, e0: 'busybox:1.36' },
    pullSecrets: ['lifeboat-pull'],
    originals: { c0: 'nginx:1.25' },
  },
  {
    name: 'the pull secret is appended once, after the ones the Pod has',
    pod: pod(['nginx:1.25'], { pullSecrets: ['own'] }),
    images: { c0: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}` },
    pullSecrets: ['own', 'lifeboat-pull'],
    originals: { c0: 'nginx:1.25' },
  },
  {
    name: 'a pull secret already listed is not added again',
    pod: pod(['nginx:1.25'], { pullSecrets: ['lifeboat-pull'] }),
    images: { c0: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c0: 'nginx:1.25' },
  },
  {
    name: 'other annotations survive; the originals annotation is added beside them',
    pod: pod(['nginx:1.25'], { annotations: { owner: 'team-a' } }),
    images: { c0: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c0: 'nginx:1.25' },
  },
  {
    name: 'a private backup stays out of a namespace not among its readers',
    pod: pod(['private.example.com/app:1']),
    namespace: 'outsider',
    images: { c0: 'private.example.com/app:1' },
  },
  {
    name: 'a private backup is used in a namespace among its readers',
    pod: pod(['private.example.com/app:1']),
    namespace: 'trusted',
    images: { c0: `${BACKUP}/private.example.com/app:1@${digest('f')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c0: 'private.example.com/app:1' },
  },
  {
    name: 'an excluded namespace is left alone',
    pod: pod(['nginx:1.25']),
    namespace: 'kube-system',
    images: { c0: 'nginx:1.25' },
  },
  {
    name: 'an image that does not parse stays',
    pod: pod(['Not A Reference', 'nginx:1.25']),
    images: { c0: 'Not A Reference', c1: `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}` },
    pullSecrets: ['lifeboat-pull'],
    originals: { c1: 'nginx:1.25' },
  },
];

for (const c of cases) {
  test(`pod admission: ${c.name}`, () => {
    const decision = decide(c.pod, c.namespace);
    const after = applyPatch(c.pod, decision.patch);
    const images = Object.fromEntries(
      [
        ...(after.spec?.initContainers ?? []),
        ...(after.spec?.containers ?? []),
        ...(after.spec?.ephemeralContainers ?? []),
      ].map((x) => [x.name, x.image]),
    );
    assert.deepEqual(images, c.images);
    assert.deepEqual(
      after.spec?.imagePullSecrets?.map((r) => r.name),
      c.pullSecrets,
    );
    const raw = after.metadata?.annotations?.[ORIGINAL_IMAGES_ANNOTATION];
    assert.deepEqual(raw === undefined ? undefined : JSON.parse(raw), c.originals);
    if (c.originals === undefined) assert.deepEqual(decision.patch, []);
    for (const [key, value] of Object.entries(c.pod.metadata?.annotations ?? {}))
      assert.equal(after.metadata?.annotations?.[key], value, `annotation ${key} kept`);
    // Reinvocation (reinvocationPolicy IfNeeded) of the patched Pod changes nothing.
    assert.deepEqual(decide(after, c.namespace).patch, []);
  });
}

test('pod admission: a Pod partly moved by an earlier invocation keeps the earlier originals', () => {
  const earlier = pod([`${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`, 'busybox:1.36'], {
    annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ c0: 'nginx:1.25' }) },
    pullSecrets: ['lifeboat-pull'],
  });
  const after = applyPatch(earlier, decide(earlier).patch);
  assert.deepEqual(JSON.parse(after.metadata!.annotations![ORIGINAL_IMAGES_ANNOTATION]!), {
    c0: 'nginx:1.25',
    c1: 'busybox:1.36',
  });
  assert.deepEqual(after.spec?.imagePullSecrets, [{ name: 'lifeboat-pull' }]);
});

test('pod admission: without a pull secret configured none is added', () => {
  const p = pod(['nginx:1.25']);
  const decision = decidePodAdmission({
    pod: p,
    namespace: 'team',
    backups: BACKUPS,
    options: { ...options, pullSecretName: undefined },
  });
  assert.equal(applyPatch(p, decision.patch).spec?.imagePullSecrets, undefined);
  assert.equal(decision.rewrites.length, 1);
});

test('pod admission: without --pin-digest the image moves to {mapped}:{tag}', () => {
  const p = pod(['nginx:1.25']);
  const decision = decidePodAdmission({
    pod: p,
    namespace: 'team',
    backups: BACKUPS,
    options: { ...options, pinDigest: false },
  });
  assert.equal(decision.rewrites[0]?.target, `${BACKUP}/docker.io/library/nginx:1.25`);
});

test('pod admission: the reasons an image stays are told apart', () => {
  const decision = decide(
    pod([
      `${BACKUP}/docker.io/library/nginx:1.25@${digest('a')}`,
      'Bad Ref',
      'redis:7',
      'private.example.com/app:1',
    ]),
    'outsider',
  );
  assert.deepEqual(
    decision.kept.map((k) => k.reason),
    ['on-backup', 'invalid-reference', 'no-ready-backup', 'private'],
  );
});

test('pod admission: only in a namespace every controller treats as active (--namespace-selector, the ignore label)', () => {
  const selector = parseLabelSelector('lifeboat=on');
  const ns = (name: string, labels: Record<string, string> = {}): NamespaceObject => ({
    metadata: { name, labels },
  });
  // null: no --namespace-selector (undefined would take the default).
  const moved = (
    namespace: string,
    namespaceObject: NamespaceObject | undefined,
    sel: LabelSelector | null = selector,
  ) =>
    decidePodAdmission({
      pod: pod(['nginx:1.25']),
      namespace,
      namespaceObject,
      backups: BACKUPS,
      options: { ...options, namespaceSelector: sel ?? undefined },
    }).rewrites.length === 1;
  const rows: [string, boolean, boolean][] = [
    ['inside the selector', moved('team', ns('team', { lifeboat: 'on' })), true],
    ['outside the selector (no pull secret is copied there)', moved('team', ns('team')), false],
    [
      'inside it but labelled lifeboat.dev/ignore=true',
      moved('team', ns('team', { lifeboat: 'on', 'lifeboat.dev/ignore': 'true' })),
      false,
    ],
    [
      'listed by name though the selector matches',
      moved('kube-system', ns('kube-system', { lifeboat: 'on' })),
      false,
    ],
    ['not cached yet, under a selector: its labels are unknown', moved('new', undefined), false],
    ['not cached yet, no selector: judged by name', moved('new', undefined, null), true],
    [
      'no selector, labelled ignore',
      moved('team', ns('team', { 'lifeboat.dev/ignore': 'true' }), null),
      false,
    ],
  ];
  for (const [why, actual, expected] of rows) assert.equal(actual, expected, why);
});
