import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDelayingQueue } from './delaying-queue.ts';
import { createFakeClock } from './fake-clock.ts';
import type { Queue } from './queue.ts';

/** Items that can be taken now, without waiting. */
async function drainNow<T>(q: Queue<T>): Promise<T[]> {
  const out: T[] = [];
  while (q.len() > 0) {
    const r = await q.get();
    if (r.shutdown) break;
    out.push(r.item);
    q.done(r.item);
  }
  return out;
}

describe('DelayingQueue', () => {
  it('adds an item only once its delay has passed', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('a', 50);
    assert.equal(q.len(), 0);
    clock.step(49);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.deepEqual(await drainNow(q), ['a']);
  });

  it('adds at once when the delay is zero or negative', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    assert.deepEqual(await drainNow(q), ['a', 'b']);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('releases items in deadline order, not in the order they were added', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('late', 300);
    q.addAfter('early', 100);
    q.addAfter('middle', 200);
    clock.step(1000);
    assert.deepEqual(await drainNow(q), ['early', 'middle', 'late']);
  });

  it('keeps the earliest deadline when an item is added after twice', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 500); // later: ignored
    q.addAfter('a', 30); // earlier: wins
    clock.step(30);
    assert.deepEqual(await drainNow(q), ['a']);
    clock.step(1000);
    assert.deepEqual(await drainNow(q), [], 'the item waited once, so it is added once');
  });

  it('arms one timer however many items wait', () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    for (let i = 0; i < 100; i++) q.addAfter(`k${i}`, 1000 - i);
    assert.equal(clock.pendingTimers(), 1);
    assert.equal(clock.nextDeadline(), 901);
    clock.step(950);
    assert.equal(q.len(), 50);
    assert.equal(clock.pendingTimers(), 1);
  });

  it('collapses a delayed item into the same item already queued', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.add('a');
    q.addAfter('a', 10);
    clock.step(10);
    assert.deepEqual(await drainNow(q), ['a']);
  });

  it('drops waiting items and clears its timer on shutdown', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('a', 10);
    q.shutDown();
    assert.equal(clock.pendingTimers(), 0);
    q.addAfter('b', 10);
    assert.equal(clock.pendingTimers(), 0, 'addAfter after shutdown is ignored');
    clock.step(100);
    assert.deepEqual(await q.get(), { item: undefined, shutdown: true });
  });

  it('clears its timer on shutDownWithDrain too', async () => {
    const clock = createFakeClock();
    const q = createDelayingQueue<string>({ clock });
    q.addAfter('a', 10);
    await q.shutDownWithDrain();
    assert.equal(clock.pendingTimers(), 0);
  });

  it('works on the real clock with a short delay', async () => {
    const q = createDelayingQueue<string>();
    q.addAfter('a', 2);
    const r = await q.get();
    assert.deepEqual(r, { item: 'a', shutdown: false });
    q.done('a');
    q.shutDown();
  });
});
