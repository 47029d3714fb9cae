import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { workloadMetrics } from './metrics.ts';
import { createRewritePacing } from './rewrite-pacing.ts';

/** A pacing on a clock the test moves. */
function paced(perMinute: number) {
  let t = 1_000_000;
  const pacing = createRewritePacing({ perMinute, now: () => t });
  return { pacing, advance: (ms: number) => void (t += ms) };
}

describe('rewrite pacing (--max-rewrites-per-minute)', () => {
  it('lets a burst of the per-minute rate through at once: a small cluster converges at once', () => {
    const { pacing } = paced(60);
    for (let i = 0; i < 60; i++) assert.equal(pacing.admit(`w${i}`), 0, `w${i}`);
    assert.equal(pacing.due(), 0);
  });

  it('then reserves one token per 60/rate seconds, in the order asked, and counts the waiters', () => {
    const { pacing } = paced(6);
    for (let i = 0; i < 6; i++) pacing.admit(`w${i}`);
    const waits = ['a', 'b', 'c'].map((k) => pacing.admit(k));
    assert.deepEqual(waits, [10_000, 20_000, 30_000]);
    assert.equal(pacing.due(), 3);
  });

  it('a waiter enqueued early keeps its place; on time it goes without taking a second token', () => {
    const { pacing, advance } = paced(6);
    for (let i = 0; i < 6; i++) pacing.admit(`w${i}`);
    assert.equal(pacing.admit('a'), 10_000);
    assert.equal(pacing.admit('b'), 20_000);
    advance(4_000);
    assert.equal(pacing.admit('a'), 6_000, 'an event before its time: the rest of its wait');
    advance(6_000);
    assert.equal(pacing.admit('a'), 0, 'its reserved token exists now');
    assert.equal(pacing.due(), 1);
    advance(10_000);
    assert.equal(pacing.admit('b'), 0);
    assert.equal(pacing.due(), 0);
    assert.equal(pacing.admit('c'), 10_000, 'no token was taken twice: the next is one interval away');
  });

  it('never lets more than burst + rate × elapsed through, however many ask', () => {
    const { pacing, advance } = paced(6);
    const done = new Set<string>();
    const comeBack = new Map<string, number>();
    let now = 0;
    for (let step = 0; step <= 120; step++) {
      for (let i = 0; i < 40; i++) {
        const key = `w${i}`;
        if (done.has(key) || (comeBack.get(key) ?? 0) > now) continue;
        const wait = pacing.admit(key);
        if (wait === 0) done.add(key);
        else comeBack.set(key, now + wait);
      }
      assert.ok(done.size <= 6 + Math.floor((6 * now) / 60_000), `${done.size} rewritten after ${now} ms`);
      advance(1_000);
      now += 1_000;
    }
    assert.equal(done.size, 6 + 12, 'and lets exactly that many through when all keep asking');
    assert.equal(pacing.due(), 40 - done.size);
  });

  it('gives a released reservation back: the next asker waits no longer than it would have', () => {
    const { pacing } = paced(6);
    for (let i = 0; i < 6; i++) pacing.admit(`w${i}`);
    assert.equal(pacing.admit('gone'), 10_000);
    pacing.release('gone');
    assert.equal(pacing.due(), 0);
    assert.equal(pacing.admit('next'), 10_000, 'the token gone had reserved is the next one');
    pacing.release('never-waited');
    assert.equal(pacing.admit('after'), 20_000, 'releasing a key without a reservation gives nothing');
  });

  it('refills at the rate while idle, up to the burst', () => {
    const { pacing, advance } = paced(6);
    for (let i = 0; i < 6; i++) pacing.admit(`w${i}`);
    advance(3_600_000);
    for (let i = 0; i < 6; i++) assert.equal(pacing.admit(`x${i}`), 0);
    assert.ok(pacing.admit('y') > 0, 'the burst, not an hour of tokens');
  });

  it('0 is unlimited: nothing waits, nothing is due', () => {
    const { pacing } = paced(0);
    for (let i = 0; i < 10_000; i++) assert.equal(pacing.admit(`w${i}`), 0);
    assert.equal(pacing.due(), 0);
  });

  it('reports the waiters as lifeboat_workloads_rewrite_due at scrape time', async () => {
    const registry = new Registry();
    const { pacing } = paced(1);
    workloadMetrics(
      registry,
      () => [],
      () => pacing.due(),
    );
    pacing.admit('a');
    pacing.admit('b');
    pacing.admit('c');
    const text = await registry.metrics();
    assert.match(text, /^lifeboat_workloads_rewrite_due 2$/m);
    pacing.release('b');
    assert.match(await registry.metrics(), /^lifeboat_workloads_rewrite_due 1$/m);
  });
});
