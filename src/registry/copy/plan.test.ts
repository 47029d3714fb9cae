import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blobsLargestFirst, mountCandidates } from './plan.ts';

const blob = (id: string, size: number) => ({ mediaType: 'x', digest: `sha256:${id.repeat(64)}`, size });

describe('blobsLargestFirst', () => {
  it('orders distinct blobs by size, largest first, ties by digest', () => {
    const out = blobsLargestFirst([
      [blob('a', 10), blob('b', 300)],
      [blob('c', 300), blob('a', 10), blob('d', 50)],
    ]);
    assert.deepEqual(
      out.map((b) => b.digest[7]),
      ['b', 'c', 'd', 'a'],
    );
  });
});

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
