/**
 * What the ImageBackup controller does next for one backup (SPEC §1.4), as a pure function of the
 * newest object it knows (the cache, or its own write the cache has not caught up with:
 * own-writes.ts) and whether a failed copy's backoff has run out. The effects are apply.ts.
 *
 * - No object, or one being deleted: nothing.
 * - Ready for its current generation: nothing. Ready for an older generation (its spec changed):
 *   recheck — one copy call, which costs only HEADs when the image is already in place.
 * - Failed for its current generation: copy again once the backoff ran out, else wait for it. A
 *   failure of an older generation: the new spec is tried at once.
 * - Pending (new, or the workload controller asking for a new copy), no status, or Copying: copy.
 *   Copying can only be an attempt that no longer runs — a leader that stopped mid-copy — since
 *   one backup is never reconciled twice at once and our own writes are seen (own-writes.ts).
 */
import type { ImageBackup } from '../api/image-backup-schema.ts';

export interface Snapshot {
  /** The newest ImageBackup known under the reconciled name; undefined when there is none. */
  readonly backup: ImageBackup | undefined;
  /** No failed copy's backoff is running for this backup (copy-retry.ts). */
  readonly retryDue: boolean;
}

export type CopyReason = 'new' | 'pending' | 'interrupted' | 'retry' | 'spec-changed';

export type Step =
  | { readonly kind: 'none'; readonly reason: 'gone' | 'deleting' | 'ready' }
  | { readonly kind: 'copy'; readonly generation: number; readonly reason: CopyReason }
  | { readonly kind: 'recheck'; readonly generation: number }
  | { readonly kind: 'wait'; readonly reason: 'backoff' };

export function decide(s: Snapshot): Step {
  const b = s.backup;
  if (b === undefined) return { kind: 'none', reason: 'gone' };
  if (b.metadata.deletionTimestamp !== undefined) return { kind: 'none', reason: 'deleting' };
  const generation = generationOf(b);
  const current = b.status?.observedGeneration === generation;
  switch (b.status?.phase) {
    case 'Ready':
      return current ? { kind: 'none', reason: 'ready' } : { kind: 'recheck', generation };
    case 'Failed':
      if (!current) return { kind: 'copy', generation, reason: 'spec-changed' };
      return s.retryDue ? { kind: 'copy', generation, reason: 'retry' } : { kind: 'wait', reason: 'backoff' };
    case 'Copying':
      return { kind: 'copy', generation, reason: 'interrupted' };
    case 'Pending':
      return {
        kind: 'copy',
        generation,
        reason: b.status.observedGeneration === undefined ? 'new' : 'pending',
      };
    case undefined:
      return { kind: 'copy', generation, reason: 'new' };
  }
}

/** `metadata.generation`, 0 when the API server has not set one (never, for a custom resource). */
export function generationOf(backup: ImageBackup): number {
  const generation = backup.metadata.generation;
  return typeof generation === 'number' ? generation : 0;
}
