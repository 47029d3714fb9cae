import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimit } from './limit.ts';

describe('createLimit', () => {
  it('runs at most max at a time, every call to its end, a freed slot going to the first waiter', async () => {
    const limit = createLimit(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const calls = [0, 1, 2, 3, 4].map((i) =>
      limit(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return i;
      }),
    );
    // Let the first two start; then free one slot at a time, and try to slip a call in between.
    for (let turn = 0; turn < 10 && gates.length < 5; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    for (let turn = 0; turn < 10 && gates.length > 0; turn++) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('frees the slot of a call that fails', async () => {
    const limit = createLimit(1);
    await assert.rejects(
      limit(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limit(() => Promise.resolve('next')), 'next');
  });

  it('refuses a bound below 1', () => {
    assert.throws(() => createLimit(0), RangeError);
  });
});
