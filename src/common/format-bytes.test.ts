import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatBytes } from './format-bytes.ts';

it('prints byte counts in binary units with one decimal past bytes', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [12.3 * 1024 * 1024, '12.3 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
    [2048 * 1024 ** 4, '2048.0 TiB'],
  ];
  for (const [bytes, want] of cases) assert.equal(formatBytes(bytes), want, String(bytes));
});
