import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, createBackoff } from './backoff.ts';

describe('backoff', () => {
  const fixed = (r: number) => ({
    initialMs: 100,
    maxMs: 1_000,
    factor: 2,
    jitter: 1,
    resetAfterMs: 5_000,
    random: () => r,
  });

  it('doubles from the initial delay and caps at the maximum', () => {
    const table: [attempt: number, expected: number][] = [
      [0, 100],
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1_000],
      [10, 1_000],
    ];
    for (const [attempt, expected] of table)
      assert.equal(backoffDelay(attempt, fixed(0)), expected, `attempt ${attempt}`);
  });

  it('adds up to jitter × the delay at random, still capped', () => {
    assert.equal(backoffDelay(0, fixed(0.5)), 150);
    assert.equal(backoffDelay(1, fixed(0.999)), 400);
    assert.equal(backoffDelay(3, fixed(0.999)), 1_000);
    assert.equal(backoffDelay(2, { ...fixed(0.9), jitter: 0 }), 400);
  });

  it('keeps the jitter at the cap when the step stops below it', () => {
    const equalJitter = (r: number) => ({ ...fixed(r), initialMs: 50, maxStepMs: 500 });
    assert.equal(backoffDelay(10, equalJitter(0)), 500, 'half of the cap is fixed');
    assert.equal(backoffDelay(10, equalJitter(0.5)), 750);
    assert.equal(backoffDelay(10, equalJitter(1)), 1_000, 'never above maxMs');
  });

  it('grows with consecutive failures and starts over after a healthy stretch', () => {
    const b = createBackoff(fixed(0));
    assert.deepEqual([b.next(0), b.next(10), b.next(20), b.next(30)], [100, 200, 400, 800]);
    assert.equal(b.failures, 4);
    assert.equal(b.next(30 + 5_000), 100, 'no failure for resetAfterMs: back to the start');
    assert.equal(b.next(5_040), 200);
  });

  it('reset() starts over at once', () => {
    const b = createBackoff(fixed(0));
    b.next(0);
    b.next(1);
    b.reset();
    assert.equal(b.failures, 0);
    assert.equal(b.next(2), 100);
  });
});
