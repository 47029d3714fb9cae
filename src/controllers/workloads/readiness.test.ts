import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWorkloadReady } from './readiness.ts';
import type { ReadinessFields } from './readiness.ts';
import type { WorkloadKind } from '../api/workload-types.ts';

const rolledOut = { observedGeneration: 3 };
const meta = { generation: 3 };

test('isWorkloadReady, per kind, both ways', () => {
  const cases: [kind: WorkloadKind, workload: ReadinessFields, ready: boolean, why: string][] = [
    [
      'Deployment',
      {
        metadata: meta,
        spec: { replicas: 2 },
        status: { ...rolledOut, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 },
      },
      true,
      'all counts equal replicas',
    ],
    [
      'Deployment',
      {
        metadata: meta,
        status: { ...rolledOut, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
      },
      true,
      'replicas defaults to 1',
    ],
    [
      'Deployment',
      { metadata: meta, spec: { replicas: 0 }, status: rolledOut },
      true,
      'scaled to zero: omitted counts are 0',
    ],
    [
      'Deployment',
      {
        metadata: { generation: 4 },
        spec: { replicas: 1 },
        status: { ...rolledOut, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
      },
      false,
      'observed generation behind',
    ],
    [
      'Deployment',
      {
        metadata: meta,
        spec: { replicas: 2 },
        status: { ...rolledOut, updatedReplicas: 2, availableReplicas: 1, readyReplicas: 2 },
      },
      false,
      'one replica not available',
    ],
    [
      'Deployment',
      {
        metadata: meta,
        spec: { replicas: 2 },
        status: { ...rolledOut, updatedReplicas: 1, availableReplicas: 2, readyReplicas: 2 },
      },
      false,
      'one replica not updated',
    ],
    [
      'Deployment',
      {
        metadata: meta,
        spec: { replicas: 2 },
        status: { ...rolledOut, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 1 },
      },
      false,
      'one replica not ready',
    ],
    ['Deployment', { metadata: meta, spec: { replicas: 1 } }, false, 'no status yet'],
    [
      'StatefulSet',
      {
        metadata: meta,
        spec: { replicas: 3 },
        status: { ...rolledOut, readyReplicas: 3, updatedReplicas: 3 },
      },
      true,
      'ready and updated equal replicas',
    ],
    [
      'StatefulSet',
      { metadata: meta, status: { ...rolledOut, readyReplicas: 1, updatedReplicas: 1 } },
      true,
      'replicas defaults to 1',
    ],
    [
      'StatefulSet',
      {
        metadata: meta,
        spec: { replicas: 3 },
        status: { ...rolledOut, readyReplicas: 2, updatedReplicas: 3 },
      },
      false,
      'one replica not ready',
    ],
    [
      'StatefulSet',
      {
        metadata: meta,
        spec: { replicas: 3 },
        status: { ...rolledOut, readyReplicas: 3, updatedReplicas: 2 },
      },
      false,
      'one replica not updated',
    ],
    [
      'StatefulSet',
      {
        metadata: { generation: 4 },
        spec: { replicas: 1 },
        status: { ...rolledOut, readyReplicas: 1, updatedReplicas: 1 },
      },
      false,
      'observed generation behind',
    ],
    [
      'DaemonSet',
      {
        metadata: meta,
        status: { ...rolledOut, desiredNumberScheduled: 4, numberReady: 4, updatedNumberScheduled: 4 },
      },
      true,
      'every scheduled pod ready and updated',
    ],
    [
      'DaemonSet',
      {
        metadata: meta,
        status: { ...rolledOut, desiredNumberScheduled: 4, numberReady: 3, updatedNumberScheduled: 4 },
      },
      false,
      'one pod not ready',
    ],
    [
      'DaemonSet',
      {
        metadata: meta,
        status: { ...rolledOut, desiredNumberScheduled: 4, numberReady: 4, updatedNumberScheduled: 3 },
      },
      false,
      'one pod not updated',
    ],
    [
      'DaemonSet',
      {
        metadata: { generation: 4 },
        status: { ...rolledOut, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1 },
      },
      false,
      'observed generation behind',
    ],
    ['CronJob', {}, true, 'always, even without status'],
    [
      'CronJob',
      { metadata: { generation: 9 }, status: { observedGeneration: 1 } },
      true,
      'always, even behind',
    ],
  ];
  for (const [kind, workload, ready, why] of cases) {
    assert.equal(isWorkloadReady(kind, workload), ready, `${kind}: ${why}`);
  }
});
