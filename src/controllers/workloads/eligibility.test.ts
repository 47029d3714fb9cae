import { parseLabelSelector } from '../../kube/index.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupMapping } from '../../reference/index.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { registryKey, workloadEligibility } from './eligibility.ts';
import type { Eligibility, EligibilityOptions, EligibilityWorkload } from './eligibility.ts';
import { WORKLOAD_KINDS } from '../api/workload-types.ts';
import type { ContainerLike, WorkloadKind } from '../api/workload-types.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const options: EligibilityOptions = { excludedNamespaces: new Set(['kube-system']), mapping };
const apps: NamespaceObject = { metadata: { name: 'apps' } };

interface Shape {
  readonly containers?: ContainerLike[];
  readonly initContainers?: ContainerLike[];
  readonly annotations?: Record<string, string>;
  readonly ready?: boolean;
}

/** A workload of `kind` with the given pod spec, rolled out (or one replica short when `ready` is false). */
function workload(kind: WorkloadKind, shape: Shape = {}): EligibilityWorkload {
  const podSpec = {
    containers: shape.containers ?? [{ name: 'app', image: 'nginx:1.25' }],
    ...(shape.initContainers === undefined ? {} : { initContainers: shape.initContainers }),
  };
  const metadata = { name: 'w', namespace: 'apps', generation: 2, annotations: shape.annotations ?? {} };
  const ready = shape.ready ?? true;
  const count = ready ? 2 : 1;
  switch (kind) {
    case 'CronJob':
      return { metadata, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
    case 'DaemonSet':
      return {
        metadata,
        spec: { template: { spec: podSpec } },
        status: {
          observedGeneration: 2,
          desiredNumberScheduled: 2,
          numberReady: count,
          updatedNumberScheduled: 2,
        },
      };
    default:
      return {
        metadata,
        spec: { replicas: 2, template: { spec: podSpec } },
        status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: count },
      };
  }
}

function summary(result: Eligibility): [boolean, string | undefined] {
  return [result.eligible, result.reason];
}

test('workload rules, each both ways, for every kind', () => {
  const cases: [
    why: string,
    shape: Shape,
    namespace: NamespaceObject,
    extra: Partial<EligibilityOptions>,
    expected: [boolean, string | undefined],
  ][] = [
    ['a plain workload is eligible', {}, apps, {}, [true, undefined]],
    ['excluded namespace', {}, { metadata: { name: 'kube-system' } }, {}, [false, 'namespace-excluded']],
    [
      'namespace labelled ignore',
      {},
      { metadata: { name: 'apps', labels: { 'lifeboat.dev/ignore': 'true' } } },
      {},
      [false, 'namespace-excluded'],
    ],
    [
      'namespace outside --namespace-selector',
      {},
      apps,
      { namespaceSelector: parseLabelSelector('lifeboat.dev/enabled=true') },
      [false, 'namespace-excluded'],
    ],
    [
      'namespace inside --namespace-selector',
      {},
      { metadata: { name: 'apps', labels: { 'lifeboat.dev/enabled': 'true' } } },
      { namespaceSelector: parseLabelSelector('lifeboat.dev/enabled=true') },
      [true, undefined],
    ],
    [
      'namespace being deleted',
      {},
      { metadata: { name: 'apps', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      {},
      [false, 'namespace-terminating'],
    ],
    [
      'annotated ignore=true',
      { annotations: { 'lifeboat.dev/ignore': 'true' } },
      apps,
      {},
      [false, 'ignored'],
    ],
    [
      'annotated ignore=false',
      { annotations: { 'lifeboat.dev/ignore': 'false' } },
      apps,
      {},
      [true, undefined],
    ],
    [
      'a malformed image',
      {
        containers: [
          { name: 'app', image: 'nginx:1.25' },
          { name: 'bad', image: 'Nginx:1' },
        ],
      },
      apps,
      {},
      [false, 'invalid-reference'],
    ],
    ['every image excluded by glob', {}, apps, { excludeImages: ['nginx:*'] }, [false, 'nothing-to-back-up']],
    ['a glob that matches nothing', {}, apps, { excludeImages: ['redis:*'] }, [true, undefined]],
    [
      'every image from an unselected registry',
      {},
      apps,
      { sourceRegistries: ['quay.io'] },
      [false, 'nothing-to-back-up'],
    ],
    [
      'image from a selected registry',
      {},
      apps,
      { sourceRegistries: ['index.docker.io'] },
      [true, undefined],
    ],
    [
      'every image already in the backup registry',
      {
        containers: [{ name: 'app', image: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25' }],
      },
      apps,
      {},
      [false, 'nothing-to-back-up'],
    ],
    [
      'the backup registry outside the prefix is a source',
      { containers: [{ name: 'app', image: 'backup.example.com:5000/other/app:1' }] },
      apps,
      {},
      [true, undefined],
    ],
    ['no image at all', { containers: [] }, apps, {}, [false, 'nothing-to-back-up']],
  ];
  for (const kind of WORKLOAD_KINDS) {
    for (const [why, shape, namespace, extra, expected] of cases) {
      const result = workloadEligibility(kind, workload(kind, shape), namespace, { ...options, ...extra });
      assert.deepEqual(summary(result), expected, `${kind}: ${why}`);
    }
  }
});

test('require-ready: a workload mid-rollout waits, except CronJobs and with --no-require-ready', () => {
  const expected: Record<WorkloadKind, [boolean, string | undefined]> = {
    Deployment: [false, 'not-ready'],
    StatefulSet: [false, 'not-ready'],
    DaemonSet: [false, 'not-ready'],
    CronJob: [true, undefined],
  };
  for (const kind of WORKLOAD_KINDS) {
    const rolling = workload(kind, { ready: false });
    assert.deepEqual(summary(workloadEligibility(kind, rolling, apps, options)), expected[kind], kind);
    assert.deepEqual(
      summary(workloadEligibility(kind, rolling, apps, { ...options, requireReady: true })),
      expected[kind],
      `${kind}, explicit`,
    );
    assert.deepEqual(
      summary(workloadEligibility(kind, rolling, apps, { ...options, requireReady: false })),
      [true, undefined],
      `${kind}, no-require-ready`,
    );
  }
});

test('reasons come in order: namespace, ignore, invalid reference, readiness, nothing left', () => {
  const everything: Shape = {
    annotations: { 'lifeboat.dev/ignore': 'true' },
    containers: [{ name: 'bad', image: 'nginx:' }],
    ready: false,
  };
  const kube = { metadata: { name: 'kube-system' } };
  const noIgnore = { ...everything, annotations: {} };
  const steps: [Shape, NamespaceObject, string][] = [
    [everything, kube, 'namespace-excluded'],
    [everything, apps, 'ignored'],
    [noIgnore, apps, 'invalid-reference'],
    [{ ...noIgnore, containers: [{ name: 'app', image: 'nginx:1' }] }, apps, 'not-ready'],
    [{ containers: [{ name: 'app', image: 'nginx:1' }] }, apps, 'nothing-to-back-up'],
  ];
  for (const [shape, namespace, reason] of steps) {
    // Every image excluded, so each step but the last fails for an earlier reason first.
    const result = workloadEligibility('Deployment', workload('Deployment', shape), namespace, {
      ...options,
      excludeImages: ['**'],
    });
    assert.equal(result.reason, reason);
  }
});

test('every image is listed with its action and reason, init containers first', () => {
  const shape: Shape = {
    initContainers: [{ name: 'migrate', image: 'quay.io/team/migrate:1' }],
    containers: [
      { name: 'app', image: 'nginx:1.25' },
      { name: 'cache', image: 'index.docker.io/library/redis:7' },
      { name: 'copy', image: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25' },
      { name: 'local', image: 'Registry.Local:5000/tool:2' },
      { name: 'bad', image: 'nginx:' },
    ],
  };
  for (const kind of WORKLOAD_KINDS) {
    const result = workloadEligibility(kind, workload(kind, shape), apps, {
      ...options,
      excludeImages: ['redis'],
      sourceRegistries: ['docker.io', 'registry.local:5000'],
      requireReady: false,
    });
    assert.deepEqual(
      result,
      {
        eligible: false,
        reason: 'invalid-reference',
        images: [
          {
            container: 'migrate',
            init: true,
            image: 'quay.io/team/migrate:1',
            reference: 'quay.io/team/migrate:1',
            action: 'skip',
            skipReason: 'registry-not-selected',
          },
          {
            container: 'app',
            init: false,
            image: 'nginx:1.25',
            reference: 'docker.io/library/nginx:1.25',
            action: 'backup',
          },
          {
            container: 'cache',
            init: false,
            image: 'index.docker.io/library/redis:7',
            reference: 'docker.io/library/redis:7',
            action: 'skip',
            skipReason: 'excluded-image',
            skipDetail: 'redis',
          },
          {
            container: 'copy',
            init: false,
            image: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25',
            reference: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25',
            action: 'skip',
            skipReason: 'already-backed-up',
          },
          {
            container: 'local',
            init: false,
            image: 'Registry.Local:5000/tool:2',
            reference: 'Registry.Local:5000/tool:2',
            action: 'backup',
          },
        ],
        invalid: [
          {
            container: 'bad',
            init: false,
            image: 'nginx:',
            code: result.invalid[0]?.code,
            error: result.invalid[0]?.error,
          },
        ],
      },
      kind,
    );
    assert.match(result.invalid[0]?.code ?? '', /^REFERENCE_/);
    assert.ok((result.invalid[0]?.error ?? '').length > 0);
  }
});

test('registryKey folds case and Docker Hub’s legacy name, keeps the port', () => {
  assert.equal(registryKey('Index.Docker.IO'), 'docker.io');
  assert.equal(registryKey('docker.io'), 'docker.io');
  assert.equal(registryKey('Registry.Local:5000'), 'registry.local:5000');
});
