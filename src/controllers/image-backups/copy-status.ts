/**
 * The status an ImageBackup's copy writes at each step (SPEC §1.4), as pure functions of the current
 * status and what happened, so the controller only sends them and a table test pins them down.
 * Each result is a JSON merge patch of `status`: `null` removes a field; `conditions` is always the
 * whole list (a merge patch replaces lists), with the `Ready` condition's `lastTransitionTime` kept
 * while its status does not change (metav1.Condition's rule).
 * Invariants:
 * - `Ready` phase ⇔ condition Ready=True, and it always carries `sourceDigest` and `targetDigest`
 *   (the digest of the top manifest in the backup registry) and no `lastError`.
 * - `Failed` carries `lastError` (safe to show: it names registry, digest or media type, never a
 *   secret) and condition Ready=False whose reason is the error code.
 * - `observedGeneration` is the generation the attempt started from, so a spec changed meanwhile
 *   is copied again.
 * - Every text is within the CRD's limits (a registry's error body may be 64 KiB, a condition message
 *   at most 32768 characters): a status the API server refused would leave the backup as it was.
 */
import { capText } from '../../common/cap-text.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import type { Condition, ImageBackupStatus } from '../api/image-backup-schema.ts';
import { MAX_MESSAGE, withCondition } from './condition.ts';

export const READY_CONDITION = 'Ready';

/** A merge patch of an ImageBackup's status. */
export type StatusPatch = { -readonly [K in keyof ImageBackupStatus]?: ImageBackupStatus[K] | null };

export interface ProgressCounts {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly blobsDone: number;
  readonly blobsTotal: number;
}

/** What a finished copy reports (copyImage's result, plus what the controller learnt about access). */
export interface CopyOutcome {
  readonly sourceDigest: string;
  readonly targetDigest: string;
  readonly mediaType: string;
  readonly platforms: readonly string[];
  readonly bytesTotal: number;
  readonly blobsTotal: number;
  readonly blobsSkipped: number;
  readonly blobsMounted: number;
  /** The target already held the image: nothing was read or written. */
  readonly skipped: boolean;
  /** Reading the source needed a login (anonymous access was refused). */
  readonly private: boolean;
}

export interface CopyFailure {
  /** The most specific error code (condition reason and metric label). */
  readonly code: string;
  readonly message: string;
}

/** For the Progress printer column: "12/30 blobs, 40%" (the percentage is of bytes when known). */
export function progressText(p: ProgressCounts): string {
  const [done, total] = p.bytesTotal > 0 ? [p.bytesDone, p.bytesTotal] : [p.blobsDone, p.blobsTotal];
  const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 0;
  return `${p.blobsDone}/${p.blobsTotal} blobs, ${percent}%`;
}

/** An attempt begins: phase Copying, one more attempt, progress reset. */
export function startedStatus(
  current: ImageBackupStatus | undefined,
  generation: number,
  now: Date,
): StatusPatch {
  const attempt = (current?.attempts ?? 0) + 1;
  return {
    phase: 'Copying',
    progress: 'starting',
    startedAt: now.toISOString(),
    completedAt: null,
    attempts: attempt,
    bytesDone: 0,
    blobsDone: 0,
    observedGeneration: generation,
    conditions: withReady(current, 'False', 'Copying', `copy attempt ${attempt} is running`, generation, now),
  };
}

/** Bytes and blobs moved so far; the size for people once the total is known. */
export function progressStatus(p: ProgressCounts): StatusPatch {
  return {
    ...p,
    progress: progressText(p),
    ...(p.bytesTotal > 0 ? { size: formatBytes(p.bytesTotal) } : {}),
  };
}

export function readyStatus(
  current: ImageBackupStatus | undefined,
  outcome: CopyOutcome,
  generation: number,
  now: Date,
): StatusPatch {
  // A skipped copy learnt nothing about sizes or platforms: what an earlier copy recorded stays.
  const copied: StatusPatch = outcome.skipped
    ? {}
    : {
        platforms: outcome.platforms.length > 0 ? [...outcome.platforms] : null,
        bytesTotal: outcome.bytesTotal,
        size: formatBytes(outcome.bytesTotal),
        bytesDone: outcome.bytesTotal,
        blobsTotal: outcome.blobsTotal,
        blobsDone: outcome.blobsTotal,
        blobsReused: outcome.blobsSkipped + outcome.blobsMounted,
      };
  const message = outcome.skipped
    ? `the backup registry already held ${outcome.targetDigest}`
    : `copied ${outcome.sourceDigest} as ${outcome.targetDigest}`;
  return {
    phase: 'Ready',
    progress: outcome.skipped
      ? 'already present'
      : progressText({
          bytesDone: outcome.bytesTotal,
          bytesTotal: outcome.bytesTotal,
          blobsDone: outcome.blobsTotal,
          blobsTotal: outcome.blobsTotal,
        }),
    sourceDigest: outcome.sourceDigest,
    targetDigest: outcome.targetDigest,
    mediaType: outcome.mediaType,
    ...copied,
    completedAt: now.toISOString(),
    private: outcome.private,
    lastError: null,
    observedGeneration: generation,
    conditions: withReady(
      current,
      'True',
      outcome.skipped ? 'AlreadyPresent' : 'Copied',
      message,
      generation,
      now,
    ),
  };
}

export function failedStatus(
  current: ImageBackupStatus | undefined,
  failure: CopyFailure,
  generation: number,
  now: Date,
): StatusPatch {
  // lastError has no limit of its own in the CRD; it carries the same text as the condition.
  const message = capText(failure.message, MAX_MESSAGE);
  return {
    phase: 'Failed',
    lastError: message,
    observedGeneration: generation,
    conditions: withReady(current, 'False', failure.code, message, generation, now),
  };
}

/**
 * A backup that was Ready is damaged in the backup registry and its source cannot repair it (issue
 * 15 item 2): phase Degraded, `lastError` naming what is missing, Ready=False (BackupDamaged). The
 * digests stay: they are what the workloads run, and what a repair must bring back.
 */
export function degradedStatus(
  current: ImageBackupStatus | undefined,
  message: string,
  generation: number,
  now: Date,
): StatusPatch {
  return {
    phase: 'Degraded',
    lastError: message,
    observedGeneration: generation,
    conditions: withReady(current, 'False', 'BackupDamaged', message, generation, now),
  };
}

/** The conditions with Ready set; the others as they were. */
function withReady(
  current: ImageBackupStatus | undefined,
  status: Condition['status'],
  reason: string,
  message: string,
  generation: number,
  now: Date,
): Condition[] {
  return withCondition(current, READY_CONDITION, { status, reason, message, generation, now });
}
