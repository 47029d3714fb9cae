/**
 * What a recheck of a backup that was Ready does (issue 15 item 2), as a pure function of what the
 * BACKUP registry holds and, only when something is missing there, what the source serves now:
 * - Everything present: Ready. Missing anchors (and the backup's own tag) are written from the
 *   backup registry's bytes (backup-check.ts `repairInPlace`); the source is not asked at all, so a
 *   gone or moved source cannot fail it.
 * - Something missing and the source serves the SAME digest the backup was copied from: copy again,
 *   pinned to that digest (the tag may move between the HEAD and the copy; the pin keeps it exact).
 * - Something missing and the source is gone, serves another digest, or cannot be reached:
 *   Degraded, rechecked with backoff until repaired (by hand, or by the source coming back).
 * Invariant: a recheck never copies another digest than the backup's, whatever
 * `--on-source-change` says: following a moved tag is the source check's business (it only runs
 * on a Ready, intact backup), never a repair's — the backup's tag never moves under the workloads
 * pinned to it because a manifest went missing.
 */
import type { SourceProbe } from './source-probe.ts';

export type OnSourceChange = 'keep' | 'follow';

export type BackupState =
  { readonly kind: 'present' } | { readonly kind: 'damaged'; readonly missing: readonly string[] };

export type RecheckAction =
  | { readonly kind: 'ready' }
  | { readonly kind: 'recopy'; readonly digest: string }
  | { readonly kind: 'degraded'; readonly message: string };

export interface RecheckInput {
  readonly backup: BackupState;
  /** The source's answer; undefined when it was not asked (nothing missing). */
  readonly source: SourceProbe | undefined;
  /** The digest the backup was copied from (`status.sourceDigest`). */
  readonly sourceDigest: string;
  /** The spec's source reference, for messages. */
  readonly reference: string;
  readonly onSourceChange: OnSourceChange;
}

export function recheckAction(i: RecheckInput): RecheckAction {
  if (i.backup.kind === 'present') return { kind: 'ready' };
  const missing = `missing in the backup registry: ${i.backup.missing.join(', ')}`;
  const s = i.source;
  if (s === undefined) return { kind: 'degraded', message: `${missing}; the source was not asked` };
  switch (s.kind) {
    case 'found':
      if (s.digest === i.sourceDigest) return { kind: 'recopy', digest: i.sourceDigest };
      return {
        kind: 'degraded',
        message: `${missing}; ${i.reference} now serves ${s.digest}, not the backed-up ${i.sourceDigest}`,
      };
    case 'gone':
      return { kind: 'degraded', message: `${missing}; the source is gone (${s.reason}): ${s.message}` };
    case 'unreachable':
    case 'throttled':
      return { kind: 'degraded', message: `${missing}; the source cannot be reached: ${s.message}` };
  }
}
