import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workloadImages } from './workload-images.ts';
import { escapePointerToken, podSpecOf, podSpecPointer, pointer } from './workload-pointer.ts';
import type { Workload, WorkloadKind } from './workload-types.ts';

const podSpec = {
  initContainers: [{ name: 'migrate', image: 'quay.io/team/migrate:1' }],
  containers: [
    { name: 'app', image: 'nginx:1.25' },
    { name: 'sidecar', image: `busybox@sha256:${'a'.repeat(64)}` },
  ],
};

const workloads: Record<WorkloadKind, Workload> = {
  Deployment: { metadata: { name: 'd' }, spec: { template: { spec: podSpec } } },
  DaemonSet: { metadata: { name: 'ds' }, spec: { template: { spec: podSpec } } },
  StatefulSet: { metadata: { name: 'ss' }, spec: { template: { spec: podSpec } } },
  CronJob: { metadata: { name: 'cj' }, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } },
};

test('workloadImages lists init containers then containers, with names and pointers per kind', () => {
  const bases: Record<WorkloadKind, string> = {
    Deployment: '/spec/template/spec',
    DaemonSet: '/spec/template/spec',
    StatefulSet: '/spec/template/spec',
    CronJob: '/spec/jobTemplate/spec/template/spec',
  };
  for (const [kind, base] of Object.entries(bases) as [WorkloadKind, string][]) {
    assert.equal(podSpecPointer(kind), base);
    assert.deepEqual(
      workloadImages(kind, workloads[kind]),
      [
        {
          container: 'migrate',
          init: true,
          image: 'quay.io/team/migrate:1',
          pointer: `${base}/initContainers/0/image`,
        },
        { container: 'app', init: false, image: 'nginx:1.25', pointer: `${base}/containers/0/image` },
        {
          container: 'sidecar',
          init: false,
          image: `busybox@sha256:${'a'.repeat(64)}`,
          pointer: `${base}/containers/1/image`,
        },
      ],
      kind,
    );
  }
});

test('workloadImages reads a pod spec of the wrong kind, or none, as no images', () => {
  assert.deepEqual(workloadImages('CronJob', workloads.Deployment), []);
  assert.deepEqual(workloadImages('Deployment', workloads.CronJob), []);
  assert.deepEqual(workloadImages('Deployment', {}), []);
  assert.deepEqual(workloadImages('Deployment', { spec: { template: {} } }), []);
  assert.equal(podSpecOf('StatefulSet', { spec: { template: { spec: podSpec } } }), podSpec);
});

test('containers without an image are left out; indexes stay those of the spec', () => {
  const w: Workload = {
    spec: {
      template: {
        spec: { containers: [{ name: 'a' }, { name: 'b', image: '' }, { name: 'c', image: 'x' }] },
      },
    },
  };
  assert.deepEqual(workloadImages('Deployment', w), [
    { container: 'c', init: false, image: 'x', pointer: '/spec/template/spec/containers/2/image' },
  ]);
});

test('pointer escapes ~ and / in each token', () => {
  const table: [string[], string][] = [
    [
      ['metadata', 'annotations', 'lifeboat.dev/original-images'],
      '/metadata/annotations/lifeboat.dev~1original-images',
    ],
    [['a~b', 'c/d~/e'], '/a~0b/c~1d~0~1e'],
    [[], ''],
  ];
  for (const [segments, want] of table) assert.equal(pointer(...segments), want);
  assert.equal(escapePointerToken('~1'), '~01');
});
