import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIndexer, indexByNamespace, INDEX, type IndexFunc } from './indexer.ts';
import { createStore, objectKey, type KubeObject } from './store.ts';

interface Pod extends KubeObject {
  spec: { images: string[] };
}

const pod = (name: string, images: string[], rv = '1', namespace = 'ns'): Pod => ({
  metadata: { name, namespace, resourceVersion: rv },
  spec: { images },
});
const byImage: IndexFunc<Pod> = (p) => p.spec.images;

/** A store and its indexer, changed the way an informer changes them: store first, then handlers. */
function setup() {
  const store = createStore<Pod>();
  const indexer = createIndexer<Pod>(store);
  return {
    indexer,
    add(p: Pod) {
      store.set(p);
      indexer.handlers.onAdd?.(p);
    },
    update(p: Pod) {
      const old = store.set(p)!;
      indexer.handlers.onUpdate?.(old, p);
    },
    remove(p: Pod) {
      store.delete(objectKey(p));
      indexer.handlers.onDelete?.(p);
    },
    relist(items: Pod[]) {
      const diff = store.replace(items);
      for (const o of diff.added) indexer.handlers.onAdd?.(o);
      for (const u of diff.updated) indexer.handlers.onUpdate?.(u.old, u.new);
      for (const o of diff.deleted) indexer.handlers.onDelete?.(o);
    },
  };
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('indexer', () => {
  it('files objects under every value once and follows adds, updates and deletes', () => {
    const s = setup();
    s.indexer.addIndex('image', byImage);
    s.add(pod('a', ['nginx', 'busybox', 'nginx']));
    s.add(pod('b', ['nginx']));
    assert.deepEqual(names(s.indexer.byIndex('image', 'nginx')), ['a', 'b']);
    assert.deepEqual(s.indexer.indexKeys('image', 'busybox'), ['ns/a']);

    s.update(pod('a', ['redis'], '2'));
    assert.deepEqual(names(s.indexer.byIndex('image', 'nginx')), ['b']);
    assert.deepEqual(names(s.indexer.byIndex('image', 'redis')), ['a']);
    assert.deepEqual(s.indexer.indexValues('image').sort(), ['nginx', 'redis'], 'empty values are dropped');

    s.remove(pod('b', ['nginx']));
    assert.deepEqual(s.indexer.byIndex('image', 'nginx'), []);
    assert.deepEqual(s.indexer.indexValues('image'), ['redis']);
  });

  it('follows a relist: added, changed and vanished objects', () => {
    const s = setup();
    s.indexer.addIndex('image', byImage);
    s.add(pod('a', ['nginx']));
    s.add(pod('gone', ['nginx']));
    s.relist([pod('a', ['redis'], '2'), pod('new', ['nginx'])]);
    assert.deepEqual(names(s.indexer.byIndex('image', 'nginx')), ['new']);
    assert.deepEqual(names(s.indexer.byIndex('image', 'redis')), ['a']);
  });

  it('files what is already cached when an index is added; refuses another function under a taken name', () => {
    const s = setup();
    s.add(pod('a', ['nginx'], '1', 'x'));
    s.add({ metadata: { name: 'cluster-wide' }, spec: { images: [] } });
    s.indexer.addIndex(INDEX.namespace, indexByNamespace);
    s.indexer.addIndex(INDEX.namespace, indexByNamespace);
    assert.deepEqual(names(s.indexer.byIndex(INDEX.namespace, 'x')), ['a']);
    assert.deepEqual(names(s.indexer.byIndex(INDEX.namespace, '')), ['cluster-wide']);
    assert.throws(() => s.indexer.addIndex(INDEX.namespace, byImage), TypeError);
    assert.throws(() => s.indexer.byIndex('nope', 'x'), TypeError);
  });
});
