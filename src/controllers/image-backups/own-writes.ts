/**
 * The newest copy of each ImageBackup this controller knows: the informer's, or the object its own
 * last status write returned while the informer has not delivered that version yet (client-go's
 * MutationCache idea). Without it a reconcile right after our own write reads the older cached
 * object — Copying, say, after we wrote Ready or Failed — and would start the copy a second time.
 * Invariants:
 * - An object we wrote is kept only while it is newer than the cache: once the informer holds a
 *   resourceVersion ≥ it, or holds no such object, or one with another uid (deleted and created
 *   again), it is dropped. The map holds only writes still on their way through the watch.
 * - resourceVersions are compared as integers (etcd revisions, which every Kubernetes API server
 *   serves). One that is not an integer is never newer: the cache wins.
 * - Objects are shared with the informer's cache and the API client's answers: never mutated.
 */
import type { ImageBackup } from '../api/image-backup-schema.ts';

export interface OwnWrites {
  /** The newest of the cached object and our last write of it; undefined when the cache has none. */
  get(name: string): ImageBackup | undefined;
  /** An object a write of ours returned. */
  wrote(obj: ImageBackup): void;
  /** The informer delivered `obj` (add or update): drops our write once the cache caught up. */
  observed(obj: ImageBackup): void;
  /** The informer deleted `name`. */
  deleted(name: string): void;
  /** Writes not yet seen by the informer (tests and debugging). */
  readonly size: number;
}

export function createOwnWrites(cache: { get(name: string): ImageBackup | undefined }): OwnWrites {
  const written = new Map<string, ImageBackup>();
  /** Our write of `cached`'s name while it is newer than `cached`; dropped otherwise. */
  function pending(name: string, cached: ImageBackup | undefined): ImageBackup | undefined {
    const mine = written.get(name);
    if (mine === undefined) return undefined;
    if (cached !== undefined && mine.metadata.uid === cached.metadata.uid && newer(mine, cached)) return mine;
    written.delete(name);
    return undefined;
  }
  return {
    get(name) {
      const cached = cache.get(name);
      return pending(name, cached) ?? cached;
    },
    wrote(obj) {
      const name = obj.metadata.name;
      const known = written.get(name) ?? cache.get(name);
      // Two writes may answer out of order (a progress write and the final one): keep the newest.
      if (known === undefined || known.metadata.uid !== obj.metadata.uid || newer(obj, known))
        written.set(name, obj);
    },
    observed(obj) {
      pending(obj.metadata.name, obj);
    },
    deleted: (name) => void written.delete(name),
    get size() {
      return written.size;
    },
  };
}

/** Whether `a` has a higher resourceVersion than `b`; false when either is not an integer. */
export function newer(a: ImageBackup, b: ImageBackup): boolean {
  const ra = revision(a);
  const rb = revision(b);
  return ra !== undefined && rb !== undefined && ra > rb;
}

function revision(obj: ImageBackup): bigint | undefined {
  const rv = obj.metadata.resourceVersion;
  return typeof rv === 'string' && /^\d{1,40}$/.test(rv) ? BigInt(rv) : undefined;
}
