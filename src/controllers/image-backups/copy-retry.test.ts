import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COPY_BACKOFF, copyBackoffDelay, createCopyRetryLimiter } from './copy-retry.ts';

describe('copyBackoffDelay', () => {
  const policy = { initialMs: 5_000, maxMs: 300_000 };
  const cases: [number, number, number][] = [
    // failures, delay with no jitter, delay with the most jitter
    [1, 5_000, 7_500],
    [2, 10_000, 15_000],
    [4, 40_000, 60_000],
    [7, 300_000, 300_000],
    [50, 300_000, 300_000],
  ];
  for (const [failures, least, most] of cases) {
    it(`after ${failures} failure(s): ${least}–${most} ms`, () => {
      assert.equal(
        copyBackoffDelay(failures, policy, () => 0),
        least,
      );
      assert.equal(
        copyBackoffDelay(failures, policy, () => 0.999999),
        most,
      );
    });
  }

  it('is 5 s doubling to 5 min by default (SPEC §1.4)', () => {
    assert.deepEqual(COPY_BACKOFF, policy);
  });
});

describe('createCopyRetryLimiter', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, step: (ms: number) => void (t += ms) };
  };

  it('doubles with each failure once the previous delay ran out, and forget starts over', () => {
    const c = clock();
    const limiter = createCopyRetryLimiter(COPY_BACKOFF, { now: c.now, random: () => 0 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const delay = limiter.when('b');
      delays.push(delay);
      c.step(delay);
    }
    assert.deepEqual(delays, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    assert.equal(limiter.numRequeues('b'), 8);
    limiter.forget('b');
    assert.equal(limiter.numRequeues('b'), 0);
    assert.equal(limiter.when('b'), 5_000);
  });

  it('answers the time left while a delay runs, without counting a failure', () => {
    const c = clock();
    const limiter = createCopyRetryLimiter(COPY_BACKOFF, { now: c.now, random: () => 0 });
    assert.equal(limiter.when('b'), 5_000);
    c.step(1_500);
    assert.equal(limiter.when('b'), 3_500);
    assert.equal(limiter.numRequeues('b'), 1);
    c.step(3_500);
    assert.equal(limiter.when('b'), 10_000, 'the next failure after the delay');
  });

  it('says when a backup is due: never failed, or its delay ran out', () => {
    const c = clock();
    const limiter = createCopyRetryLimiter(COPY_BACKOFF, { now: c.now, random: () => 0 });
    assert.equal(limiter.due('b'), true);
    limiter.when('b');
    assert.equal(limiter.due('b'), false);
    assert.equal(limiter.due('other'), true, 'per backup');
    c.step(4_999);
    assert.equal(limiter.due('b'), false);
    c.step(1);
    assert.equal(limiter.due('b'), true);
  });
});
