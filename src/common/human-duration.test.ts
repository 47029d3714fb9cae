import assert from 'node:assert/strict';
import { it } from 'node:test';
import { humanDuration } from './human-duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

it('prints ages as kubectl does (apimachinery HumanDuration)', () => {
  const cases: [number, string][] = [
    [-5 * S, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 5 * S, '2m5s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 3 * M, '5h3m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [3 * D + 4 * H, '3d4h'],
    [8 * D + 4 * H, '8d'],
    [400 * D, '400d'],
    [730 * D, '2y'],
    [732 * D, '2y2d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});
