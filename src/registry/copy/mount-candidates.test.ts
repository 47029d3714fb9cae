import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountCandidates } from './mount-candidates.ts';

describe('mountCandidates', () => {
  const cases: [string, Parameters<typeof mountCandidates>[0], string[]][] = [
    ['nothing known', { targetRepository: 't', given: [], known: [], sameRegistrySource: undefined }, []],
    [
      'given, then known, then the same-registry source, without duplicates',
      { targetRepository: 't', given: ['a'], known: ['b', 'a'], sameRegistrySource: 'src' },
      ['a', 'b', 'src'],
    ],
    [
      'never the target itself',
      { targetRepository: 't', given: ['t'], known: ['t'], sameRegistrySource: 't' },
      [],
    ],
    [
      'at most three attempts',
      { targetRepository: 't', given: ['a', 'b', 'c', 'd'], known: [], sameRegistrySource: undefined },
      ['a', 'b', 'c'],
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(mountCandidates(input), expected));
  }
});
