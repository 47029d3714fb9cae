/**
 * From an object that changed to the keys a controller must reconcile: the objects that own it
 * (sample-controller's `handleObject`) or use it (found through an index). Handlers built here only
 * enqueue keys, so they stay as cheap as informer handlers must be.
 */
import type { Controller } from './controller.ts';
import { ownerReferencesOf } from './indexer.ts';
import type { InformerHandlers } from './informer.ts';
import type { Resource } from './resource.ts';
import { objectKey } from './store.ts';
import type { KubeObject } from './store.ts';

/**
 * Keys (`namespace/name`, or `name` for a cluster-scoped owner) of `obj`'s owners of the `owner`
 * resource: same group and kind (any version: an owner reference may name another served version).
 * A namespaced owner lives in `obj`'s namespace, as owner references require.
 * `controllerOnly`: only the managing owner (`controller: true`), as sample-controller's
 * `metav1.GetControllerOf`.
 */
export function ownerKeys(
  obj: KubeObject,
  owner: Resource,
  opts: { controllerOnly?: boolean } = {},
): string[] {
  const keys: string[] = [];
  for (const ref of ownerReferencesOf(obj)) {
    if (ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) continue;
    if (opts.controllerOnly && ref.controller !== true) continue;
    const namespace = owner.namespaced ? obj.metadata.namespace : undefined;
    // A namespaced owner of a cluster-scoped object is invalid (the garbage collector ignores it).
    if (owner.namespaced && !namespace) continue;
    keys.push(namespace ? `${namespace}/${ref.name}` : ref.name);
  }
  return keys;
}

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Informer handlers that enqueue into `controller` the keys `map` returns for each object. An
 * update enqueues the keys of both versions (an object that stops using X must still wake X's
 * controller); a delete, those of the last known state.
 */
export function enqueueMapped<T extends KubeObject>(
  controller: Pick<Controller, 'enqueue'>,
  map: (obj: T) => Iterable<string>,
): InformerHandlers<T> {
  const enqueue = (...objs: T[]): void => {
    const keys = new Set<string>();
    for (const obj of objs) for (const key of map(obj)) keys.add(key);
    for (const key of keys) controller.enqueue(key);
  };
  return {
    onAdd: (obj) => enqueue(obj),
    onUpdate: (old, obj) => enqueue(old, obj),
    onDelete: (obj) => enqueue(obj),
  };
}

/** Handlers that enqueue the object's own key: the primary resource of a controller. */
export function enqueueObject<T extends KubeObject>(
  controller: Pick<Controller, 'enqueue'>,
): InformerHandlers<T> {
  return enqueueMapped<T>(controller, (obj) => [objectKey(obj)]);
}
