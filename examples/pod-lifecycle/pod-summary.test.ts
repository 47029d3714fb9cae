import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeChanges, summarizePod } from './pod-summary.ts';

const pod = (status: Record<string, unknown>, nodeName?: string) => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'app' }, { name: 'sidecar' }], ...(nodeName ? { nodeName } : {}) },
  status,
});

describe('summarizePod', () => {
  it('reports phase, node and each container, defaulting containers without status to not ready', () => {
    const s = summarizePod(
      pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 2 }] }, 'node-1'),
    );
    assert.deepEqual(s, {
      phase: 'Running',
      node: 'node-1',
      containers: { app: { ready: true, restarts: 2 }, sidecar: { ready: false, restarts: 0 } },
    });
    assert.deepEqual(summarizePod({ metadata: { name: 'bare' } }), {
      phase: 'Unknown',
      node: '',
      containers: {},
    });
  });
});

describe('describeChanges', () => {
  const base = summarizePod(pod({ phase: 'Pending' }));
  const cases: [string, ReturnType<typeof summarizePod>, string[]][] = [
    ['nothing', base, []],
    ['scheduling', { ...base, node: 'n1' }, ['node (none)→n1']],
    ['phase', { ...base, phase: 'Running' }, ['phase Pending→Running']],
    [
      'readiness and restarts',
      { ...base, containers: { app: { ready: true, restarts: 1 }, sidecar: { ready: false, restarts: 0 } } },
      ['container app ready false→true', 'container app restarts 0→1'],
    ],
    [
      'a container appearing',
      { ...base, containers: { ...base.containers, extra: { ready: false, restarts: 0 } } },
      ['container extra added'],
    ],
  ];
  for (const [what, next, expected] of cases) {
    it(`describes ${what}`, () => assert.deepEqual(describeChanges(base, next), expected));
  }
});
