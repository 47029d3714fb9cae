import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelay, type RetryPolicy } from './retry.ts';

const policy: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 60_000 };

test('without Retry-After the delay doubles per retry, is capped, and keeps half of it fixed', () => {
  const table: [number, number, number][] = [
    // retry, random, want
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [3, 0.5, 300],
    [4, 1, 800],
    [5, 1, 1_000],
    [10, 0, 500],
  ];
  for (const [retry, random, want] of table)
    assert.equal(
      retryDelay(retry, policy, undefined, () => random),
      want,
    );
});

test('retryDelay honours Retry-After up to its bound, else backs off', () => {
  assert.equal(
    retryDelay(1, policy, 2_000, () => 0),
    2_000,
  );
  assert.equal(
    retryDelay(1, policy, 3_600_000, () => 0),
    60_000,
  );
  assert.equal(
    retryDelay(1, policy, 0, () => 0),
    0,
  );
  assert.equal(
    retryDelay(2, policy, undefined, () => 0),
    100,
  );
});
