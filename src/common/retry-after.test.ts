import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from './retry-after.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates; a past date means now; garbage is undefined', () => {
    const table: [string | string[] | undefined, number | undefined][] = [
      ['3', 3_000],
      ['0', 0],
      [' 12 ', 12_000],
      [' 7 ', 7_000],
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
});
