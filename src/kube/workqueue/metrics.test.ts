import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createFakeClock } from './fake-clock.ts';
import { createRateLimitingQueue } from './rate-limiting-queue.ts';

/** The value of one sample, by metric name and exact label set. */
async function sample(
  registry: Registry,
  metric: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const family = registry.getSingleMetric(metric.replace(/_(sum|count)$/, ''));
  if (!family) return undefined;
  const { values } = await family.get();
  const match = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric) === metric &&
      Object.keys(labels).every((k) => v.labels[k] === labels[k]) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return match?.value;
}

describe('workqueue metrics', () => {
  it('records depth, adds, retries and durations under the queue name', async () => {
    const registry = new Registry();
    const clock = createFakeClock();
    const q = createRateLimitingQueue<string>({ name: 'images', registry, clock });
    const name = { name: 'images' };

    q.add('a');
    q.add('a'); // collapsed: not an add
    q.add('b');
    assert.equal(await sample(registry, 'workqueue_depth', name), 2);
    assert.equal(await sample(registry, 'workqueue_adds_total', name), 2);

    clock.step(3000);
    const r = await q.get();
    assert.equal(r.item, 'a');
    assert.equal(await sample(registry, 'workqueue_depth', name), 1);
    assert.equal(
      await sample(registry, 'workqueue_queue_duration_seconds_sum', name),
      3,
      'a waited 3 s in the queue',
    );

    clock.step(2000);
    assert.equal(await sample(registry, 'workqueue_unfinished_work_seconds', name), 2);
    assert.equal(await sample(registry, 'workqueue_longest_running_processor_seconds', name), 2);
    q.done('a');
    assert.equal(await sample(registry, 'workqueue_work_duration_seconds_sum', name), 2);
    assert.equal(await sample(registry, 'workqueue_work_duration_seconds_count', name), 1);
    assert.equal(await sample(registry, 'workqueue_unfinished_work_seconds', name), 0);

    q.addRateLimited('a');
    q.addAfter('c', 10);
    assert.equal(await sample(registry, 'workqueue_retries_total', name), 2);
    q.shutDown();
  });

  it('reports the sum of in-flight work and the longest single item', async () => {
    const registry = new Registry();
    const clock = createFakeClock();
    const q = createRateLimitingQueue<string>({ name: 'q', registry, clock });
    q.add('a');
    await q.get();
    clock.step(4000);
    q.add('b');
    await q.get();
    clock.step(1000);
    assert.equal(await sample(registry, 'workqueue_unfinished_work_seconds', { name: 'q' }), 6);
    assert.equal(await sample(registry, 'workqueue_longest_running_processor_seconds', { name: 'q' }), 5);
  });

  it('lets several queues share one registry, told apart by name', async () => {
    const registry = new Registry();
    const clock = createFakeClock();
    const one = createRateLimitingQueue<string>({ name: 'one', registry, clock });
    const two = createRateLimitingQueue<string>({ name: 'two', registry, clock });
    one.add('x');
    two.add('x');
    two.add('y');
    assert.equal(await sample(registry, 'workqueue_adds_total', { name: 'one' }), 1);
    assert.equal(await sample(registry, 'workqueue_adds_total', { name: 'two' }), 2);
    const text = await registry.metrics();
    assert.equal(text.match(/^# TYPE workqueue_depth gauge$/gm)?.length, 1);
  });

  it('records nothing for an unnamed queue', () => {
    const registry = new Registry();
    const q = createRateLimitingQueue<string>({ registry, clock: createFakeClock() });
    q.add('a');
    assert.equal(registry.getMetricsAsArray().length, 0);
  });

  it('shows a fresh named queue at zero before its first add', async () => {
    const registry = new Registry();
    createRateLimitingQueue<string>({ name: 'idle', registry, clock: createFakeClock() });
    assert.equal(await sample(registry, 'workqueue_depth', { name: 'idle' }), 0);
    assert.equal(await sample(registry, 'workqueue_adds_total', { name: 'idle' }), 0);
  });
});
