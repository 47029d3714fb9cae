import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_READERS, readersAfter } from './private-images.ts';

const backup = (readers?: string[]) => ({ status: readers === undefined ? {} : { readers } });

describe('readersAfter', () => {
  it('adds a namespace shown to read, keeping the others in order', () => {
    assert.deepEqual(readersAfter(backup(['a']), 'b', true), ['a', 'b']);
    assert.deepEqual(readersAfter(backup(), 'a', true), ['a']);
  });

  it('removes only the namespace whose own check refused', () => {
    assert.deepEqual(readersAfter(backup(['a', 'b', 'c']), 'b', false), ['a', 'c']);
  });

  it('nothing to write when the list already says so', () => {
    assert.equal(readersAfter(backup(['a']), 'a', true), undefined);
    assert.equal(readersAfter(backup(['a']), 'b', false), undefined);
    assert.equal(readersAfter(backup(), 'b', false), undefined);
  });

  it(`bounded: at most ${MAX_READERS} namespaces, each a DNS label (≤ 63)`, () => {
    const full = Array.from({ length: MAX_READERS }, (_, i) => `ns-${i}`);
    assert.equal(readersAfter(backup(full), 'one-more', true), undefined);
    assert.equal(readersAfter(backup(), 'x'.repeat(64), true), undefined);
    assert.equal(readersAfter(backup(), '', true), undefined);
    assert.deepEqual(
      readersAfter(backup(full), 'ns-0', false)?.length,
      MAX_READERS - 1,
      'removal still works',
    );
  });
});
