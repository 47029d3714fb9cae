import assert from 'node:assert/strict';
import { it } from 'node:test';
import { queueDepths, spread } from './pacing.ts';

it('reads every work queue depth from a metrics exposition and nothing else', () => {
  const text = [
    '# HELP workqueue_depth Current depth of workqueue',
    '# TYPE workqueue_depth gauge',
    'workqueue_depth{name="imagebackups"} 37',
    'workqueue_depth{name="workloads"} 0',
    'workqueue_adds_total{name="imagebackups"} 400',
  ].join('\n');
  assert.deepEqual(queueDepths(text), { imagebackups: 37, workloads: 0 });
  assert.deepEqual(queueDepths(''), {});
});

it('spreads durations as p50, p95 and max, and an empty set as zeros', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(spread(values), { n: 100, p50: 50, p95: 95, max: 100 });
  assert.deepEqual(spread([]), { n: 0, p50: 0, p95: 0, max: 0 });
});
