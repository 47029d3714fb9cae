import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSemaphore } from './semaphore.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createSemaphore', () => {
  it('grants up to its capacity and queues the rest', async () => {
    const s = createSemaphore(2);
    const a = await s.acquire();
    await s.acquire();
    let third = false;
    const pending = s.acquire().then((r) => ((third = true), r));
    await tick();
    assert.equal(third, false);
    a();
    (await pending)();
    assert.equal(third, true);
  });

  it('serves waiters by priority, highest first, then in arrival order', async () => {
    const s = createSemaphore(1);
    const hold = await s.acquire();
    const order: string[] = [];
    const wait = (name: string, priority: number) =>
      s.acquire({ priority }).then((release) => {
        order.push(name);
        release();
      });
    const all = Promise.all([
      wait('small', 10),
      wait('large', 1000),
      wait('medium-1', 500),
      wait('medium-2', 500),
    ]);
    hold();
    await all;
    assert.deepEqual(order, ['large', 'medium-1', 'medium-2', 'small']);
  });

  it('weighs requests and caps a request larger than the capacity', async () => {
    const s = createSemaphore(10);
    const big = await s.acquire({ weight: 50 });
    assert.equal(s.available, 0);
    big();
    const six = await s.acquire({ weight: 6 });
    assert.equal(s.available, 4);
    six();
    six();
    assert.equal(s.available, 10, 'a second release is a no-op');
  });

  it('removes an aborted waiter and rejects with the reason', async () => {
    const s = createSemaphore(1);
    const hold = await s.acquire();
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = s.acquire({ signal: controller.signal });
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.equal(s.waiting, 0);
    hold();
    assert.equal(s.available, 1);
  });
});
