import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock } from './fake-clock.ts';
import {
  createBucketRateLimiter,
  createExponentialRateLimiter,
  defaultControllerRateLimiter,
  maxOfRateLimiters,
  type RateLimiter,
} from './rate-limiters.ts';

describe('exponential rate limiter', () => {
  it('doubles the wait with each failure of an item, starting at 5 ms', () => {
    const l = createExponentialRateLimiter<string>();
    const waits = Array.from({ length: 5 }, () => l.when('a'));
    assert.deepEqual(waits, [5, 10, 20, 40, 80]);
    assert.equal(l.numRequeues('a'), 5);
  });

  it('caps the wait at 1000 s by default, even after very many failures', () => {
    const l = createExponentialRateLimiter<string>();
    let last = 0;
    for (let i = 0; i < 2000; i++) last = l.when('a');
    assert.equal(last, 1_000_000);
  });

  it('honours a custom base and cap', () => {
    const l = createExponentialRateLimiter<string>({ baseDelayMs: 100, maxDelayMs: 350 });
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('a')], [100, 200, 350, 350]);
  });

  it('tracks each item separately', () => {
    const l = createExponentialRateLimiter<string>();
    l.when('a');
    l.when('a');
    assert.equal(l.when('b'), 5);
    assert.equal(l.numRequeues('a'), 2);
  });

  it('starts over from the base delay after forget', () => {
    const l = createExponentialRateLimiter<string>();
    l.when('a');
    l.when('a');
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
    assert.equal(l.when('a'), 5);
  });

  it('rejects a cap below the base', () => {
    assert.throws(() => createExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 }), RangeError);
  });
});

describe('token bucket rate limiter', () => {
  it('lets a burst through at once, then spaces retries by 1/qps', () => {
    const clock = createFakeClock();
    const l = createBucketRateLimiter<string>({ qps: 10, burst: 3, clock });
    const waits = Array.from({ length: 6 }, (_, i) => l.when(`k${i}`));
    assert.deepEqual(waits, [0, 0, 0, 100, 200, 300]);
  });

  it('refills at qps tokens a second up to the burst', () => {
    const clock = createFakeClock();
    const l = createBucketRateLimiter<string>({ qps: 10, burst: 2, clock });
    l.when('a');
    l.when('a');
    clock.step(100);
    assert.equal(l.when('a'), 0, 'one token came back after 100 ms');
    assert.equal(l.when('a'), 100);
    clock.step(60_000);
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [0, 0, 100], 'refill stops at burst');
  });

  it('defaults to 10 qps with a burst of 100, like client-go', () => {
    const clock = createFakeClock();
    const l = createBucketRateLimiter<string>({ clock });
    for (let i = 0; i < 100; i++) assert.equal(l.when('a'), 0);
    assert.equal(l.when('a'), 100);
  });

  it('tracks no item', () => {
    const l = createBucketRateLimiter<string>({ clock: createFakeClock() });
    l.when('a');
    assert.equal(l.numRequeues('a'), 0);
  });
});

describe('max-of rate limiter', () => {
  const fixed = (ms: number, requeues: number): RateLimiter<string> & { forgotten: string[] } => {
    const forgotten: string[] = [];
    return { when: () => ms, forget: (i) => forgotten.push(i), numRequeues: () => requeues, forgotten };
  };

  it('waits as long as the slowest limiter and forgets in all of them', () => {
    const a = fixed(10, 1);
    const b = fixed(70, 4);
    const l = maxOfRateLimiters(a, b);
    assert.equal(l.when('x'), 70);
    assert.equal(l.numRequeues('x'), 4);
    l.forget('x');
    assert.deepEqual([a.forgotten, b.forgotten], [['x'], ['x']]);
  });

  it('default controller limiter follows per-item backoff until the overall bucket is empty', () => {
    const clock = createFakeClock();
    const l = defaultControllerRateLimiter<string>({ clock });
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [5, 10, 20]);
    for (let i = 0; i < 97; i++) l.when(`other${i}`);
    // The bucket is empty now: a fresh item waits for a token, not 5 ms.
    assert.equal(l.when('fresh'), 100);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
  });
});
