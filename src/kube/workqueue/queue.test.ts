import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createQueue, type Queue } from './queue.ts';

/** Takes an item that must be available now. */
async function take<T>(q: Queue<T>): Promise<T> {
  const r = await q.get();
  assert.equal(r.shutdown, false, 'expected an item, got shutdown');
  return r.item;
}

describe('Queue', () => {
  it('hands items out in the order they were added', async () => {
    const q = createQueue<string>();
    for (const k of ['a', 'b', 'c']) q.add(k);
    assert.deepEqual([await take(q), await take(q), await take(q)], ['a', 'b', 'c']);
  });

  it('processes an item added twice before a worker takes it only once', async () => {
    const q = createQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await take(q), 'a');
    assert.equal(await take(q), 'b');
    assert.equal(q.len(), 0);
  });

  it('makes a waiting get resolve when an item is added', async () => {
    const q = createQueue<string>();
    const pending = q.get();
    q.add('x');
    assert.deepEqual(await pending, { item: 'x', shutdown: false });
  });

  it('does not hand out an item re-added while a worker holds it until done', async () => {
    const q = createQueue<string>();
    q.add('a');
    const item = await take(q);
    q.add('a');
    assert.equal(q.len(), 0, 'the re-added item must wait for done');
    let second: string | undefined;
    const waiting = q.get().then((r) => (second = r.item));
    await yieldToLoop();
    assert.equal(second, undefined);
    q.done(item);
    await waiting;
    assert.equal(second, 'a');
  });

  it('never lets two workers hold the same item at once', async () => {
    const q = createQueue<string>();
    const keys = ['k0', 'k1', 'k2'];
    const held = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const r = await q.get();
        if (r.shutdown) return;
        if (held.has(r.item)) overlaps++;
        held.add(r.item);
        await yieldToLoop();
        // Re-adding mid-flight is the case that would let a second worker in.
        q.add(r.item);
        await yieldToLoop();
        held.delete(r.item);
        processed++;
        q.done(r.item);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let round = 0; round < 50; round++) {
      for (const k of keys) q.add(k);
      await yieldToLoop();
    }
    q.shutDown();
    await Promise.all(workers);
    assert.equal(overlaps, 0);
    assert.ok(processed >= keys.length, `processed ${processed}`);
  });

  it('ignores adds after shutdown and still hands out what was queued, then reports shutdown', async () => {
    const q = createQueue<string>();
    q.add('a');
    q.shutDown();
    q.add('b');
    assert.equal(q.shuttingDown(), true);
    assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
    assert.deepEqual(await q.get(), { item: undefined, shutdown: true });
    assert.deepEqual(await q.get(), { item: undefined, shutdown: true });
  });

  it('wakes every waiting get with shutdown', async () => {
    const q = createQueue<string>();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    assert.deepEqual(await Promise.all(waiting), [
      { item: undefined, shutdown: true },
      { item: undefined, shutdown: true },
    ]);
  });

  it('shutDownWithDrain waits until held items are done', async () => {
    const q = createQueue<string>();
    q.add('a');
    q.add('b');
    const a = await take(q);
    const b = await take(q);
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    q.add('c');
    assert.equal(q.len(), 0, 'adds are refused while draining');
    q.done(a);
    await yieldToLoop();
    assert.equal(drained, false, 'one item is still held');
    q.done(b);
    await drain;
    assert.equal(drained, true);
  });

  it('shutDownWithDrain resolves at once when nothing is held', async () => {
    const q = createQueue<string>();
    await q.shutDownWithDrain();
    assert.equal(q.shuttingDown(), true);
  });

  it('shutDown cuts a pending drain short', async () => {
    const q = createQueue<string>();
    q.add('a');
    await take(q);
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await yieldToLoop();
    assert.equal(drained, false, 'the drain waits while a worker holds an item');
    q.shutDown();
    // The item is still held (no done): only shutDown can have released the drain. setImmediate runs
    // after the promise callbacks, so a released drain has settled by then; a kept one fails here.
    await yieldToLoop();
    assert.equal(drained, true, 'shutDown released the pending drain');
    await drain;
  });

  it('re-queues on done an item re-added before shutdown', async () => {
    const q = createQueue<string>();
    q.add('a');
    const a = await take(q);
    q.add('a');
    q.shutDown();
    q.done(a);
    assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
  });

  it('ignores done for an item nobody holds', async () => {
    const q = createQueue<string>();
    q.add('a');
    q.done('a');
    q.done('zzz');
    assert.equal(await take(q), 'a');
  });
});
