import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStore, diffRelist, objectKey } from './store.ts';
import type { KubeObject } from './store.ts';

const obj = (name: string, rv: string, namespace?: string): KubeObject => ({
  metadata: { name, resourceVersion: rv, ...(namespace ? { namespace } : {}) },
});

describe('objectKey', () => {
  it('is namespace/name for namespaced objects and name for cluster-scoped ones', () => {
    assert.equal(objectKey(obj('a', '1', 'ns')), 'ns/a');
    assert.equal(objectKey(obj('node-1', '1')), 'node-1');
  });
});

describe('diffRelist', () => {
  it('reports new objects as added, changed resourceVersions as updated, and missing ones as deleted', () => {
    const current = new Map([
      ['ns/same', obj('same', '1', 'ns')],
      ['ns/changed', obj('changed', '1', 'ns')],
      ['ns/gone', obj('gone', '1', 'ns')],
    ]);
    const diff = diffRelist(current, [
      obj('same', '1', 'ns'),
      obj('changed', '5', 'ns'),
      obj('new', '6', 'ns'),
    ]);
    assert.deepEqual(diff.added.map(objectKey), ['ns/new']);
    assert.deepEqual(
      diff.updated.map((u) => [u.old.metadata.resourceVersion, u.new.metadata.resourceVersion]),
      [['1', '5']],
    );
    assert.deepEqual(
      diff.deleted,
      [obj('gone', '1', 'ns')],
      'the synthetic delete carries the last known state',
    );
  });

  it('is empty when nothing changed and all-added from an empty cache', () => {
    const items = [obj('a', '1', 'ns'), obj('b', '2', 'ns')];
    assert.deepEqual(diffRelist(new Map(items.map((i) => [objectKey(i), i])), items), {
      added: [],
      updated: [],
      deleted: [],
    });
    assert.equal(diffRelist(new Map(), items).added.length, 2);
  });
});

describe('createStore', () => {
  it('sets, gets, deletes and lists by key', () => {
    const s = createStore();
    assert.equal(s.set(obj('a', '1', 'ns')), undefined);
    const old = s.set(obj('a', '2', 'ns'));
    assert.equal(old?.metadata.resourceVersion, '1');
    s.set(obj('b', '1', 'ns'));
    assert.deepEqual(s.keys().sort(), ['ns/a', 'ns/b']);
    assert.equal(s.size, 2);
    assert.equal(s.delete('ns/a')?.metadata.resourceVersion, '2');
    assert.equal(s.get('ns/a'), undefined);
    assert.equal(s.delete('ns/none'), undefined);
    assert.deepEqual(s.list(), [obj('b', '1', 'ns')]);
  });

  it('replace keeps the cached instance of unchanged objects and returns the diff', () => {
    const s = createStore();
    const a = obj('a', '1', 'ns');
    s.set(a);
    s.set(obj('b', '1', 'ns'));
    const diff = s.replace([obj('a', '1', 'ns'), obj('c', '3', 'ns')]);
    assert.equal(s.get('ns/a'), a, 'same instance');
    assert.deepEqual(s.keys().sort(), ['ns/a', 'ns/c']);
    assert.deepEqual(diff.deleted.map(objectKey), ['ns/b']);
    assert.deepEqual(diff.added.map(objectKey), ['ns/c']);
  });
});
