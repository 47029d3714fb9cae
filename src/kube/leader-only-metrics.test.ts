import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { exportsObjectCounts, leadershipOf, whileLeading } from './leader-only-metrics.ts';

function countingGauge(registry: Registry): void {
  new Gauge({
    name: 'test_objects',
    help: 'objects',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      if (!exportsObjectCounts(registry, this)) return;
      this.set({ kind: 'a' }, 3);
    },
  });
}

it('exports object counts while leading (the default without election), nothing as a follower', async () => {
  const registry = new Registry();
  countingGauge(registry);
  assert.equal(leadershipOf(registry).leading, true, 'no election: the only process counts');
  assert.match(await registry.metrics(), /^test_objects\{kind="a"\} 3$/m);
  leadershipOf(registry).leading = false;
  const follower = await registry.metrics();
  assert.doesNotMatch(follower, /^test_objects\{/m, 'the leader-time sample is cleared');
  leadershipOf(registry).leading = true;
  assert.match(await registry.metrics(), /^test_objects\{kind="a"\} 3$/m);
});

it('keeps each Registry’s leadership apart', () => {
  const [a, b] = [new Registry(), new Registry()];
  leadershipOf(a).leading = false;
  assert.equal(leadershipOf(a).leading, false);
  assert.equal(leadershipOf(b).leading, true);
});

it('whileLeading marks the Registry leading while the work runs, and not after (lost or released)', async () => {
  const leadership = leadershipOf(new Registry());
  leadership.leading = false;
  let during: boolean | undefined;
  await whileLeading(leadership, async () => {
    during = leadership.leading;
    await Promise.resolve();
  })(new AbortController().signal);
  assert.equal(during, true);
  assert.equal(leadership.leading, false);
  await assert.rejects(
    whileLeading(leadership, () => Promise.reject(new Error('boom')))(new AbortController().signal),
  );
  assert.equal(leadership.leading, false, 'false after a failure too');
});
