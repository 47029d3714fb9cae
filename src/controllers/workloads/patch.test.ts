import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotationsPatch, imagePullSecretPatch, imagesPatch, removeAnnotationsPatch } from './patch.ts';
import { workloadImages } from '../api/workload-images.ts';
import { applyPatch } from './json-patch.test-support.ts';
import type { Workload, WorkloadKind } from '../api/workload-types.ts';

const DIGEST = `sha256:${'d'.repeat(64)}`;

function deployment(): Workload {
  return {
    metadata: { name: 'web', namespace: 'team', annotations: { owner: 'team-a' } },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1' }],
          containers: [
            { name: 'app', image: 'nginx:1.25' },
            { name: 'log', image: 'fluentd:2' },
          ],
        },
      },
    },
  };
}

function cronJob(): Workload {
  return {
    metadata: { name: 'nightly' },
    spec: {
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'alpine:3' }] } } } },
    },
  };
}

/** Backup images of the test: `backup.example.com/<image>@digest`. */
const toBackup = ({ image }: { image: string }): string | undefined =>
  image.startsWith('fluentd') ? undefined : `backup.example.com/${image}@${DIGEST}`;

test('imagesPatch tests then replaces each changed image at its pointer, for every kind', () => {
  const ops = imagesPatch('Deployment', deployment(), toBackup);
  assert.deepEqual(ops, [
    { op: 'test', path: '/spec/template/spec/initContainers/0/image', value: 'busybox:1' },
    {
      op: 'replace',
      path: '/spec/template/spec/initContainers/0/image',
      value: `backup.example.com/busybox:1@${DIGEST}`,
    },
    { op: 'test', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.25' },
    {
      op: 'replace',
      path: '/spec/template/spec/containers/0/image',
      value: `backup.example.com/nginx:1.25@${DIGEST}`,
    },
  ]);
  assert.deepEqual(
    workloadImages('Deployment', applyPatch(deployment(), ops)).map((i) => i.image),
    [`backup.example.com/busybox:1@${DIGEST}`, `backup.example.com/nginx:1.25@${DIGEST}`, 'fluentd:2'],
  );
  const cron = imagesPatch('CronJob', cronJob(), toBackup);
  assert.deepEqual(
    cron.map((op) => op.path),
    [
      '/spec/jobTemplate/spec/template/spec/containers/0/image',
      '/spec/jobTemplate/spec/template/spec/containers/0/image',
    ],
  );
  assert.doesNotThrow(() => applyPatch(cronJob(), cron));
});

test('imagesPatch is empty when nothing changes, and fails on a workload changed since the read', () => {
  assert.deepEqual(
    imagesPatch('Deployment', deployment(), () => undefined),
    [],
  );
  assert.deepEqual(
    imagesPatch('Deployment', deployment(), ({ image }) => image),
    [],
  );
  const ops = imagesPatch('Deployment', deployment(), toBackup);
  const edited = applyPatch(deployment(), [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.26' },
  ]);
  assert.throws(() => applyPatch(edited, ops), /test failed/);
  const reordered = applyPatch(deployment(), [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'fluentd:2' },
    { op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'nginx:1.25' },
  ]);
  assert.throws(() => applyPatch(reordered, ops), /test failed/);
});

test('imagePullSecretPatch creates the list, appends to it, or leaves it, never duplicating', () => {
  const path = '/spec/template/spec/imagePullSecrets';
  const absent = imagePullSecretPatch('Deployment', deployment(), 'lifeboat-pull');
  assert.deepEqual(absent, [
    { op: 'test', path, value: null },
    { op: 'add', path, value: [{ name: 'lifeboat-pull' }] },
  ]);
  const created = applyPatch(deployment(), absent);
  assert.deepEqual(imagePullSecretPatch('Deployment', created, 'lifeboat-pull'), [], 'already there');

  const withOther = applyPatch(deployment(), [{ op: 'add', path, value: [{ name: 'theirs' }] }]);
  const append = imagePullSecretPatch('Deployment', withOther, 'lifeboat-pull');
  assert.deepEqual(append, [
    { op: 'test', path, value: [{ name: 'theirs' }] },
    { op: 'add', path: `${path}/-`, value: { name: 'lifeboat-pull' } },
  ]);
  const appended = applyPatch(withOther, append) as {
    spec: { template: { spec: { imagePullSecrets: unknown[] } } };
  };
  assert.deepEqual(appended.spec.template.spec.imagePullSecrets, [
    { name: 'theirs' },
    { name: 'lifeboat-pull' },
  ]);

  // Another writer's list, set after lifeboat's read, survives: the patch fails instead.
  assert.throws(() => applyPatch(withOther, absent), /test failed/);
  const withMore = applyPatch(withOther, [{ op: 'add', path: `${path}/-`, value: { name: 'more' } }]);
  assert.throws(() => applyPatch(withMore, append), /test failed/);

  assert.deepEqual(
    imagePullSecretPatch('CronJob', cronJob(), 'p').map((op) => op.path),
    [
      '/spec/jobTemplate/spec/template/spec/imagePullSecrets',
      '/spec/jobTemplate/spec/template/spec/imagePullSecrets',
    ],
  );
});

test('annotationsPatch creates metadata.annotations or sets only the keys that differ, escaping "/"', () => {
  const key = 'lifeboat.dev/original-images';
  const value = JSON.stringify({ app: 'nginx:1.25' });
  const present = annotationsPatch(deployment(), { [key]: value, owner: 'team-a' });
  assert.deepEqual(present, [
    { op: 'add', path: '/metadata/annotations/lifeboat.dev~1original-images', value },
  ]);
  const patched = applyPatch(deployment(), present);
  assert.deepEqual(patched.metadata?.annotations, { owner: 'team-a', [key]: value });
  assert.deepEqual(annotationsPatch(patched, { [key]: value }), [], 'nothing to change');

  const bare = cronJob();
  const absent = annotationsPatch(bare, { [key]: value, 'kubernetes.io/change-cause': 'lifeboat' });
  assert.deepEqual(absent, [
    { op: 'test', path: '/metadata/annotations', value: null },
    {
      op: 'add',
      path: '/metadata/annotations',
      value: { [key]: value, 'kubernetes.io/change-cause': 'lifeboat' },
    },
  ]);
  assert.deepEqual(applyPatch(bare, absent).metadata?.annotations, {
    [key]: value,
    'kubernetes.io/change-cause': 'lifeboat',
  });
  const annotatedMeanwhile = applyPatch(bare, [
    { op: 'add', path: '/metadata/annotations', value: { x: 'y' } },
  ]);
  assert.throws(() => applyPatch(annotatedMeanwhile, absent), /test failed/);
  assert.deepEqual(annotationsPatch(bare, {}), []);
});

test('removeAnnotationsPatch removes the keys present, each guarded by its value', () => {
  const key = 'lifeboat.dev/original-images';
  const annotated = applyPatch(deployment(), annotationsPatch(deployment(), { [key]: '{}' }));
  const ops = removeAnnotationsPatch(annotated, [key, 'absent.example/x']);
  assert.deepEqual(ops, [
    { op: 'test', path: '/metadata/annotations/lifeboat.dev~1original-images', value: '{}' },
    { op: 'remove', path: '/metadata/annotations/lifeboat.dev~1original-images' },
  ]);
  assert.deepEqual(applyPatch(annotated, ops).metadata?.annotations, { owner: 'team-a' });
  assert.deepEqual(removeAnnotationsPatch(cronJob(), [key]), []);
});

test('one patch of images, pull secret and annotations changes those fields and nothing else', () => {
  const cases: [WorkloadKind, () => Workload, string][] = [
    ['Deployment', deployment, '/spec/template/spec'],
    ['CronJob', cronJob, '/spec/jobTemplate/spec/template/spec'],
  ];
  for (const [kind, make, podSpec] of cases) {
    const before = make();
    const after = applyPatch(before, [
      ...imagesPatch(kind, before, toBackup),
      ...imagePullSecretPatch(kind, before, 'lifeboat-pull'),
      ...annotationsPatch(before, { 'lifeboat.dev/original-images': '{}' }),
    ]);
    // Undoing exactly what lifeboat changed gives back the object it read.
    const originals = new Map(workloadImages(kind, before).map((i) => [i.container, i.image]));
    const restored = applyPatch(after, [
      ...imagesPatch(kind, after, (i) => originals.get(i.container)),
      { op: 'remove', path: `${podSpec}/imagePullSecrets` },
      ...(before.metadata?.annotations === undefined
        ? [{ op: 'remove', path: '/metadata/annotations' } as const]
        : removeAnnotationsPatch(after, ['lifeboat.dev/original-images'])),
    ]);
    assert.notDeepEqual(after, before, kind);
    assert.deepEqual(restored, before, kind);
  }
});
