import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Chance, seededRandom } from './random-faults.ts';

it('seededRandom repeats its sequence for a seed and differs between seeds', () => {
  const draw = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: 5 }, () => random());
  };
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  for (const x of draw(3)) assert.ok(x >= 0 && x < 1);
});

it('Chance matches about its share of tests, whatever the path (as the fault proxy calls it)', () => {
  const chance = new Chance(0.05, seededRandom(7));
  let hits = 0;
  for (let i = 0; i < 20_000; i++) if (chance.test(`/v2/bench/img-${i}/manifests/1`)) hits++;
  // 5 % of 20,000 = 1,000; the binomial's standard deviation is about 31.
  assert.ok(hits > 850 && hits < 1150, `${hits} of 20000`);
  assert.equal(new Chance(0, seededRandom(1)).test('/v2/'), false);
  assert.equal(new Chance(1, seededRandom(1)).test('/v2/'), true);
});
