import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceAccountNameOf, workloadPullSecretRefs } from './pull-secret-refs.ts';
import type { Workload, WorkloadKind } from './workload-types.ts';

function withPodSpec(kind: WorkloadKind, podSpec: Record<string, unknown>): Workload {
  const template = { spec: { containers: [{ name: 'app', image: 'nginx' }], ...podSpec } };
  return kind === 'CronJob'
    ? { metadata: { name: 'w' }, spec: { jobTemplate: { spec: { template } } } }
    : { metadata: { name: 'w' }, spec: { template } };
}

test('refs: pod template first, then the service account; in the namespace; no empty names or repeats', () => {
  const cases: [
    why: string,
    podSpec: Record<string, unknown>,
    sa: { name?: string }[] | undefined,
    want: string[],
  ][] = [
    ['none anywhere', {}, undefined, []],
    ['pod template only', { imagePullSecrets: [{ name: 'a' }, { name: 'b' }] }, undefined, ['a', 'b']],
    ['service account only', {}, [{ name: 's' }], ['s']],
    ['template before account', { imagePullSecrets: [{ name: 'b' }] }, [{ name: 'a' }], ['b', 'a']],
    [
      'a repeat keeps its first place',
      { imagePullSecrets: [{ name: 'a' }] },
      [{ name: 'x' }, { name: 'a' }],
      ['a', 'x'],
    ],
    ['empty and missing names dropped', { imagePullSecrets: [{ name: '' }, {}] }, [{}, { name: 'k' }], ['k']],
    ['null list (raw JSON)', { imagePullSecrets: null }, undefined, []],
  ];
  for (const kind of ['Deployment', 'CronJob'] as const) {
    for (const [why, podSpec, sa, want] of cases) {
      const refs = workloadPullSecretRefs(
        kind,
        withPodSpec(kind, podSpec),
        'team',
        sa === undefined ? undefined : { imagePullSecrets: sa },
      );
      assert.deepEqual(
        refs,
        want.map((name) => ({ namespace: 'team', name })),
        `${kind}: ${why}`,
      );
    }
  }
});

test('service account: spec.serviceAccountName, or default when absent or empty', () => {
  assert.equal(serviceAccountNameOf('Deployment', withPodSpec('Deployment', {})), 'default');
  assert.equal(
    serviceAccountNameOf('Deployment', withPodSpec('Deployment', { serviceAccountName: '' })),
    'default',
  );
  assert.equal(
    serviceAccountNameOf('StatefulSet', withPodSpec('StatefulSet', { serviceAccountName: 'db' })),
    'db',
  );
  assert.equal(
    serviceAccountNameOf('CronJob', withPodSpec('CronJob', { serviceAccountName: 'batch' })),
    'batch',
  );
});
