import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blobsLargestFirst, planCopy, type ManifestNode } from './plan.ts';

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

describe('planCopy', () => {
  /** A manifest named `name` (its digest, for reading the tables) over `blobs` and `children`. */
  const node = (
    name: string,
    blobs: ReturnType<typeof blob>[] = [],
    children: ManifestNode[] = [],
  ): ManifestNode => ({ digest: name, mediaType: 'm', bytes: Buffer.alloc(0), blobs, children });
  const a = node('image-a', [blob('1', 10), blob('2', 300), blob('3', 50)]);
  const b = node('image-b', [blob('1', 10), blob('4', 700)]);
  const c = node('image-c', [blob('5', 20)]);

  const cases: [string, ManifestNode, string, string[], string[]][] = [
    ['one image: its blobs largest first, itself under the tag', a, 'v1', ['2', '3', '1'], ['image-a@v1']],
    [
      'an index: each shared blob once, children by digest in index order, the index last',
      node('index', [], [a, b]),
      'v2',
      ['4', '2', '3', '1'],
      ['image-a@image-a', 'image-b@image-b', 'index@v2'],
    ],
    [
      'an index whose children the target holds: the index alone',
      node('index', [], []),
      'v2',
      [],
      ['index@v2'],
    ],
    [
      'a nested index: every manifest after the ones it names',
      node('outer', [], [node('inner', [], [a, c]), b]),
      'v3',
      ['4', '2', '3', '5', '1'],
      ['image-a@image-a', 'image-c@image-c', 'inner@inner', 'image-b@image-b', 'outer@v3'],
    ],
    [
      'a child named twice (also below a nested index): pushed once, before the first that names it',
      node('outer', [], [node('inner', [], [a]), a, a]),
      'v4',
      ['2', '3', '1'],
      ['image-a@image-a', 'inner@inner', 'outer@v4'],
    ],
    [
      'a target pinned by digest: the top under that digest',
      node('index', [], [c]),
      'sha256:top',
      ['5'],
      ['image-c@image-c', 'index@sha256:top'],
    ],
  ];
  for (const [name, top, reference, blobs, pushes] of cases) {
    it(name, () => {
      const plan = planCopy(top, reference);
      assert.deepEqual(
        plan.blobs.map((d) => d.digest[7]),
        blobs,
      );
      assert.deepEqual(
        plan.pushes.map((p) => `${p.node.digest}@${p.references.join('+')}`),
        pushes,
      );
    });
  }
});

describe('planCopy with anchors', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const anchor = (c: string) => `lifeboat-sha256-${c.repeat(64)}`;
  const node = (
    d: string,
    blobs: ReturnType<typeof blob>[] = [],
    children: ManifestNode[] = [],
  ): ManifestNode => ({
    digest: d,
    mediaType: 'm',
    bytes: Buffer.alloc(0),
    blobs,
    children,
  });
  const a = node(digest('a'), [blob('1', 10)]);
  const b = node(digest('b'), [blob('2', 20)]);
  const sha512 = `sha512:${'c'.repeat(128)}`;

  const cases: [string, ManifestNode, string, string[], number, string[]][] = [
    ['a tagged image: its anchor, then its tag', a, 'v1', [`${digest('a')}@${anchor('a')}+v1`], 1, []],
    ['a digest-only target: its anchor alone', a, digest('a'), [`${digest('a')}@${anchor('a')}`], 1, []],
    [
      'an index: each child under its anchor, then the index under its anchor and its tag',
      node(digest('f'), [], [a, b]),
      'v2',
      [`${digest('a')}@${anchor('a')}`, `${digest('b')}@${anchor('b')}`, `${digest('f')}@${anchor('f')}+v2`],
      3,
      [],
    ],
    [
      'a digest in another algorithm: no anchor, pushed as without anchors',
      node(digest('f'), [], [node(sha512), a]),
      'v3',
      [`${sha512}@${sha512}`, `${digest('a')}@${anchor('a')}`, `${digest('f')}@${anchor('f')}+v3`],
      2,
      [sha512],
    ],
  ];
  for (const [name, top, reference, pushes, anchors, unanchored] of cases) {
    it(name, () => {
      const plan = planCopy(top, reference, { anchor: true });
      assert.deepEqual(
        plan.pushes.map((p) => `${p.node.digest}@${p.references.join('+')}`),
        pushes,
      );
      assert.equal(plan.anchors, anchors);
      assert.deepEqual(plan.unanchored, unanchored);
    });
  }

  it('writes no anchor unless asked', () => {
    const plan = planCopy(node(digest('f'), [], [a]), 'v1');
    assert.deepEqual(
      plan.pushes.map((p) => p.references),
      [[digest('a')], ['v1']],
    );
    assert.equal(plan.anchors, 0);
    assert.deepEqual(plan.unanchored, []);
  });
});
