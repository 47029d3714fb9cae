/**
 * The informer's cache: objects by key (`namespace/name`, or `name` for cluster-scoped objects).
 *
 * Contract: objects handed out by `get`/`list` (and to informer handlers) are the cached instances,
 * shared with every other reader. NEVER mutate them; `structuredClone` first. The informer can
 * deep-freeze them (`freeze: true`) to catch violations in tests.
 */

/** The fields every Kubernetes object has that the cache relies on; the rest stays as plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: unknown[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** Read-only view of a cache. */
export interface Store<T extends KubeObject> {
  get(key: string): T | undefined;
  /** A new array of the cached objects (the objects themselves are shared: do not mutate). */
  list(): T[];
  keys(): string[];
  readonly size: number;
}

export interface MutableStore<T extends KubeObject> extends Store<T> {
  /** Stores `obj`; returns the object it replaced. */
  set(obj: T): T | undefined;
  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined;
  /** Replaces the whole content with a fresh list; returns what changed (see `diffRelist`). */
  replace(items: T[]): RelistDiff<T>;
}

export interface RelistDiff<T> {
  added: T[];
  /** Objects whose resourceVersion changed. */
  updated: { old: T; new: T }[];
  /** Objects no longer listed: they were deleted while we were not watching. */
  deleted: T[];
}

export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name;
}

/**
 * What a relist changes relative to the current cache. Pure. An object listed with the same
 * resourceVersion as cached is unchanged (no event); one missing from the list gets a synthetic
 * delete carrying its last known state, as client-go's DeletedFinalStateUnknown does.
 */
export function diffRelist<T extends KubeObject>(
  current: ReadonlyMap<string, T>,
  items: readonly T[],
): RelistDiff<T> {
  const diff: RelistDiff<T> = { added: [], updated: [], deleted: [] };
  const seen = new Set<string>();
  for (const item of items) {
    const key = objectKey(item);
    seen.add(key);
    const old = current.get(key);
    if (old === undefined) diff.added.push(item);
    else if (old.metadata.resourceVersion !== item.metadata.resourceVersion)
      diff.updated.push({ old, new: item });
  }
  for (const [key, old] of current) if (!seen.has(key)) diff.deleted.push(old);
  return diff;
}

export function createStore<T extends KubeObject>(): MutableStore<T> {
  let items = new Map<string, T>();
  return {
    get: (key) => items.get(key),
    list: () => [...items.values()],
    keys: () => [...items.keys()],
    get size() {
      return items.size;
    },
    set(obj) {
      const key = objectKey(obj);
      const old = items.get(key);
      items.set(key, obj);
      return old;
    },
    delete(key) {
      const old = items.get(key);
      items.delete(key);
      return old;
    },
    replace(list) {
      const diff = diffRelist(items, list);
      const next = new Map<string, T>();
      for (const item of list) {
        const key = objectKey(item);
        // Unchanged objects keep their cached instance, so readers holding it see no churn.
        const old = items.get(key);
        next.set(
          key,
          old !== undefined && old.metadata.resourceVersion === item.metadata.resourceVersion ? old : item,
        );
      }
      items = next;
      return diff;
    },
  };
}
