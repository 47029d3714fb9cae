/**
 * Secondary indexes over an informer's cache, as client-go's `cache.Indexer`: an index function
 * maps an object to the values it is filed under (its namespace, the uids of its owners, the images
 * it runs), and `byIndex(name, value)` answers "which cached objects are filed under value" without
 * scanning the cache.
 *
 * Invariant: for every index, `value → keys` holds exactly the keys of cached objects whose index
 * function returned `value` for their cached version. It is kept incrementally: `handlers` must see
 * every add, update and delete of the store (relist diffs included), after the store has applied it
 * and before anyone else reads the index (the shared informer registers them first).
 */
import type { InformerHandlers } from './informer.ts';
import { objectKey } from './store.ts';
import type { KubeObject, Store } from './store.ts';

/** Values an object is filed under. Must be pure and cheap: it runs on every event. */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

export interface Indexer<T extends KubeObject> {
  /**
   * Adds an index and files every object already cached. Adding the same function under the same
   * name again does nothing; another function under a taken name is a TypeError.
   */
  addIndex(name: string, fn: IndexFunc<T>): void;
  /** Cached objects filed under `value` (a new array; the objects are shared: do not mutate). */
  byIndex(name: string, value: string): T[];
  /** Keys of the cached objects filed under `value`. */
  indexKeys(name: string, value: string): string[];
  /** Values of the index that have objects filed under them. */
  indexValues(name: string): string[];
  /** Keep the indexes current; register them before any other handler. */
  readonly handlers: InformerHandlers<T>;
}

interface Index<T extends KubeObject> {
  fn: IndexFunc<T>;
  byValue: Map<string, Set<string>>;
  /** What each key is filed under now, to unfile it on update and delete. */
  byKey: Map<string, readonly string[]>;
}

export function createIndexer<T extends KubeObject>(store: Store<T>): Indexer<T> {
  const indexes = new Map<string, Index<T>>();

  const get = (name: string): Index<T> => {
    const index = indexes.get(name);
    if (index === undefined) throw new TypeError(`no index named ${name}`);
    return index;
  };

  function unfile(index: Index<T>, key: string): void {
    for (const value of index.byKey.get(key) ?? []) {
      const keys = index.byValue.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.byValue.delete(value);
    }
    index.byKey.delete(key);
  }

  function file(index: Index<T>, obj: T): void {
    const key = objectKey(obj);
    unfile(index, key);
    const values = [...new Set(index.fn(obj))];
    if (values.length === 0) return;
    index.byKey.set(key, values);
    for (const value of values) {
      let keys = index.byValue.get(value);
      if (keys === undefined) index.byValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  const upsert = (obj: T): void => {
    for (const index of indexes.values()) file(index, obj);
  };

  return {
    addIndex(name, fn) {
      const existing = indexes.get(name);
      if (existing !== undefined) {
        if (existing.fn === fn) return;
        throw new TypeError(`index ${name} already exists with another function`);
      }
      const index: Index<T> = { fn, byValue: new Map(), byKey: new Map() };
      indexes.set(name, index);
      for (const obj of store.list()) file(index, obj);
    },
    byIndex(name, value) {
      const out: T[] = [];
      for (const key of get(name).byValue.get(value) ?? []) {
        const obj = store.get(key);
        if (obj !== undefined) out.push(obj);
      }
      return out;
    },
    indexKeys: (name, value) => [...(get(name).byValue.get(value) ?? [])],
    indexValues: (name) => [...get(name).byValue.keys()],
    handlers: {
      onAdd: upsert,
      onUpdate: (old, obj) => {
        // A resync re-delivers the cached instance: nothing changed.
        if (old !== obj) upsert(obj);
      },
      onDelete: (obj) => {
        const key = objectKey(obj);
        for (const index of indexes.values()) unfile(index, key);
      },
    },
  };
}

/** Built-in index names, so two controllers sharing an informer share one index. */
export const INDEX = Object.freeze({ namespace: 'namespace' });

/** Files an object under its namespace (`''` for cluster-scoped objects), as client-go's MetaNamespaceIndexFunc. */
export const indexByNamespace: IndexFunc<KubeObject> = (obj) => [obj.metadata.namespace ?? ''];
