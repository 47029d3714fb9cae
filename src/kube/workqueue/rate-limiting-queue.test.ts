import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock } from './fake-clock.ts';
import { createExponentialRateLimiter } from './rate-limiters.ts';
import { createRateLimitingQueue } from './rate-limiting-queue.ts';

describe('RateLimitingQueue', () => {
  it('re-adds a failed item after the backoff the limiter chose', async () => {
    const clock = createFakeClock();
    const q = createRateLimitingQueue<string>({ clock });
    q.addRateLimited('a');
    assert.equal(q.len(), 0);
    clock.step(4);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
    q.done('a');
    q.addRateLimited('a');
    clock.step(9);
    assert.equal(q.len(), 0, 'second failure waits 10 ms');
    clock.step(1);
    assert.equal(q.len(), 1);
    assert.equal(q.numRequeues('a'), 2);
  });

  it('resets the backoff on forget', () => {
    const clock = createFakeClock();
    const q = createRateLimitingQueue<string>({
      clock,
      rateLimiter: createExponentialRateLimiter({ baseDelayMs: 100 }),
    });
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    clock.step(100);
    assert.equal(q.len(), 1, 'the pending retry still arrives');
  });
});
