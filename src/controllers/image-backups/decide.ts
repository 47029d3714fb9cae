/**
 * What the ImageBackup controller does next for one backup (SPEC §1.4), as a pure function of the
 * newest object it knows (the cache, or its own write the cache has not caught up with:
 * own-writes.ts) and whether a failed copy's backoff has run out. The effects are apply.ts.
 *
 * - No object, or one being deleted: nothing.
 * - Ready for its current generation: once per leader, a recheck (a new leader looks at the backup
 *   registry itself, and repairs missing anchors); then nothing, or its source check when one is due
 *   (source-check-schedule.ts; then `nextCheckInMs` says when). Ready for an older generation (its
 *   spec changed): recheck — a look at the BACKUP registry, never a copy from the source unless a
 *   piece is missing and the source still serves the same digest (issue 15 item 2).
 * - Pending with the digests of an earlier Ready (the workload controller found a manifest
 *   missing): recheck too, not a copy — the source may be gone or its tag moved, and the backup's
 *   tag must not move to another digest under the workloads pinned to it.
 * - Degraded (damaged, the source cannot repair it): recheck once the backoff ran out (the same
 *   per-key rate limiter as Failed), at once for a new generation.
 * - Failed for its current generation: copy again once the backoff ran out, else wait for it. A
 *   failure of an older generation: the new spec is tried at once.
 * - Pending (new, or the workload controller asking for a new copy), no status, or Copying: copy.
 *   Copying can only be an attempt that no longer runs — a leader that stopped mid-copy — since
 *   one backup is never reconciled twice at once and our own writes are seen (own-writes.ts).
 */
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { sourceCheckDueAt, type SourceCheckTiming } from './source-check-schedule.ts';

export interface Snapshot {
  /** The newest ImageBackup known under the reconciled name; undefined when there is none. */
  readonly backup: ImageBackup | undefined;
  /** No failed copy's backoff is running for this backup (copy-retry.ts). */
  readonly retryDue: boolean;
  /**
   * This process has seen the backup Ready in the backup registry since it became leader (its own
   * copy or recheck). False: a Ready backup is rechecked once, as after a spec change — a new
   * leader does not take its predecessor's word for what the backup registry holds. Absent: true.
   */
  readonly checkedSinceLeader?: boolean;
  /** Source checks' interval, the leader's start and now; absent or interval 0: no source checks. */
  readonly sourceCheck?: (SourceCheckTiming & { readonly now: number }) | undefined;
}

export type RecheckReason = 'spec-changed' | 'manifest-missing' | 'degraded' | 'leader-changed';

export type CopyReason = 'new' | 'pending' | 'interrupted' | 'retry' | 'spec-changed';

export type Step =
  | { readonly kind: 'none'; readonly reason: 'gone' | 'deleting' }
  | { readonly kind: 'none'; readonly reason: 'ready'; readonly nextCheckInMs?: number }
  | { readonly kind: 'copy'; readonly generation: number; readonly reason: CopyReason }
  | { readonly kind: 'recheck'; readonly generation: number; readonly reason: RecheckReason }
  | { readonly kind: 'check-source' }
  | { readonly kind: 'wait'; readonly reason: 'backoff' };

export function decide(s: Snapshot): Step {
  const b = s.backup;
  if (b === undefined) return { kind: 'none', reason: 'gone' };
  if (b.metadata.deletionTimestamp !== undefined) return { kind: 'none', reason: 'deleting' };
  const generation = generationOf(b);
  const current = b.status?.observedGeneration === generation;
  switch (b.status?.phase) {
    case 'Ready':
      return current ? readyStep(b, s) : { kind: 'recheck', generation, reason: 'spec-changed' };
    case 'Degraded':
      if (!current) return { kind: 'recheck', generation, reason: 'spec-changed' };
      return s.retryDue
        ? { kind: 'recheck', generation, reason: 'degraded' }
        : { kind: 'wait', reason: 'backoff' };
    case 'Failed':
      if (!current) return { kind: 'copy', generation, reason: 'spec-changed' };
      return s.retryDue ? { kind: 'copy', generation, reason: 'retry' } : { kind: 'wait', reason: 'backoff' };
    case 'Copying':
      return { kind: 'copy', generation, reason: 'interrupted' };
    case 'Pending':
      if (wasReady(b)) return { kind: 'recheck', generation, reason: 'manifest-missing' };
      return {
        kind: 'copy',
        generation,
        reason: b.status.observedGeneration === undefined ? 'new' : 'pending',
      };
    case undefined:
      return { kind: 'copy', generation, reason: 'new' };
  }
}

function readyStep(b: ImageBackup, s: Snapshot): Step {
  if (s.checkedSinceLeader === false)
    return { kind: 'recheck', generation: generationOf(b), reason: 'leader-changed' };
  const due = s.sourceCheck === undefined ? undefined : sourceCheckDueAt(b, s.sourceCheck);
  if (due === undefined) return { kind: 'none', reason: 'ready' };
  const inMs = due - s.sourceCheck!.now;
  return inMs <= 0 ? { kind: 'check-source' } : { kind: 'none', reason: 'ready', nextCheckInMs: inMs };
}

/** The status still holds what an earlier Ready recorded: the digests workloads may be pinned to. */
export function wasReady(b: ImageBackup): boolean {
  return b.status?.targetDigest !== undefined && b.status.sourceDigest !== undefined;
}

/** `metadata.generation`, 0 when the API server has not set one (never, for a custom resource). */
export function generationOf(backup: ImageBackup): number {
  const generation = backup.metadata.generation;
  return typeof generation === 'number' ? generation : 0;
}
