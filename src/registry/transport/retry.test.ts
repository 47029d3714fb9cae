import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const policy: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 60_000 };

test('parseRetryAfter reads delta-seconds and HTTP dates', () => {
  const table: [string | string[] | undefined, number | undefined][] = [
    ['3', 3_000],
    ['0', 0],
    [' 12 ', 12_000],
    [['7', '9'], 7_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [value, want] of table) assert.equal(parseRetryAfter(value, NOW), want, String(value));
});

test('backoffDelay doubles per retry, is capped, and keeps half of it fixed', () => {
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
      backoffDelay(retry, policy, () => random),
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
