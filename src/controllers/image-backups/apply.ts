/**
 * The effects of the ImageBackup controller's steps (decide.ts): copies through copy-backup.ts,
 * status writes, Events, metrics, log lines. Writes per backup: Copying when an attempt starts
 * (guarded by the resourceVersion it was planned from, so two leaders never both start one), a
 * progress write at most once per `progressIntervalMs` and only for a copy that lasts longer, and
 * Ready or Failed at the end. Events: BackupStarted, then BackupReady or BackupFailed.
 * Every write's answer goes to `own` (own-writes.ts), so the next reconcile sees it even before the
 * informer does.
 */
import type { Logger } from 'pino';
import {
  isConflict,
  isInvalid,
  isNotFound,
  objectReference,
  type EventRecorder,
  type ObjectReference,
  type ReconcileResult,
  type ResourceClient,
} from '../../kube/index.ts';
import type { CopyProgress } from '../../registry/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { IMAGE_BACKUPS } from '../api/image-backup-resource.ts';
import type { ImageBackup, ImageBackupStatus } from '../api/image-backup-schema.ts';
import type { BackupCopy } from './copy-backup.ts';
import { copyFailure } from './copy-failure.ts';
import { failedStatus, progressStatus, readyStatus, startedStatus, type StatusPatch } from './copy-status.ts';
import type { CopyMetrics } from './metrics.ts';
import type { OwnWrites } from './own-writes.ts';

/** Copies `backup`'s image to the backup registry (copy-backup.ts; a fake in tests). */
export type CopyFn = (
  backup: ImageBackup,
  signal: AbortSignal,
  onProgress: (p: CopyProgress) => void,
) => Promise<BackupCopy>;

export interface BackupEffectsOptions {
  readonly client: Pick<ResourceClient<ImageBackup>, 'patchStatus'>;
  readonly own: Pick<OwnWrites, 'wrote'>;
  readonly copy: CopyFn;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly metrics: CopyMetrics;
  readonly logger: Logger;
  readonly progressIntervalMs: number;
}

export interface BackupEffects {
  /** One attempt: Copying → copy → Ready, or Failed and a rate-limited retry. */
  copy(backup: ImageBackup, generation: number, signal: AbortSignal): Promise<ReconcileResult | void>;
  /** A Ready backup's new generation: one copy call (only HEADs when nothing changed), one status write. */
  recheck(backup: ImageBackup, generation: number, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** The cache was behind another writer: look again shortly, their event is on its way. */
const REQUEUE_AFTER_RACE_MS = 500;

/** The condition reason of an attempt whose end the API server refused to record (422). */
export const STATUS_REFUSED = 'STATUS_REFUSED';

export function backupEffects(o: BackupEffectsOptions): BackupEffects {
  const { logger } = o;

  /**
   * The one status write: a merge patch of `status`; with `guard`, only onto the resourceVersion
   * it was planned from (409 → 'race'). A backup deleted meanwhile (404) is a race too. Other
   * errors are thrown (the queue retries the key with backoff).
   */
  async function writeStatus(
    name: string,
    status: StatusPatch,
    guard?: ImageBackup,
  ): Promise<ImageBackup | 'race'> {
    const rv = guard?.metadata.resourceVersion;
    try {
      const written = await o.client.patchStatus(name, {
        ...(typeof rv === 'string' ? { metadata: { resourceVersion: rv } } : {}),
        status,
      });
      o.own.wrote(written);
      return written;
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) return 'race';
      throw error;
    }
  }

  /**
   * The write that ends an attempt (Ready or Failed). One the API server refuses (422: something
   * beyond the CRD's limits) is recorded as a failure of its own, with a short message, so a backup
   * never stays Copying with nothing said: 'refused' then. That write refused too is thrown.
   */
  async function writeEnd(
    name: string,
    status: StatusPatch,
    base: ImageBackupStatus | undefined,
    generation: number,
    guard?: ImageBackup,
  ): Promise<ImageBackup | 'race' | 'refused'> {
    try {
      return await writeStatus(name, status, guard);
    } catch (error) {
      if (!isInvalid(error)) throw error;
      const message = `the API server refused the ${String(status.phase)} status of this attempt: ${(error as Error).message}`;
      logger.warn({ backup: name, error: message }, 'status refused: recorded as a failure');
      const refused = failedStatus(base, { code: STATUS_REFUSED, message }, generation, new Date());
      return (await writeStatus(name, refused)) === 'race' ? 'race' : 'refused';
    }
  }

  const regardingOf = (backup: ImageBackup): ObjectReference => objectReference(backup, IMAGE_BACKUPS);

  function recordRefused(backup: ImageBackup): ReconcileResult {
    o.metrics.failed(STATUS_REFUSED, 0);
    o.events.record(regardingOf(backup), {
      type: 'Warning',
      reason: EventReasons.BackupFailed,
      action: 'Copy',
      note: 'the API server refused the status of this attempt (see the logs)',
    });
    return { requeue: 'rateLimited' };
  }

  function recordReady(backup: ImageBackup, result: BackupCopy): void {
    o.events.record(regardingOf(backup), {
      type: 'Normal',
      reason: EventReasons.BackupReady,
      action: 'Copy',
      note: result.skipped
        ? `${backup.spec.target} already held ${result.targetDigest}`
        : `copied ${backup.spec.source} (${result.sourceDigest}) to ${backup.spec.target} (${result.targetDigest})`,
    });
  }

  async function copy(
    backup: ImageBackup,
    generation: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const started = await writeStatus(name, startedStatus(backup.status, generation, new Date()), backup);
    if (started === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    const attempt = started.status?.attempts ?? 1;
    logger.info(
      { backup: name, source: backup.spec.source, target: backup.spec.target, attempt },
      'copy started',
    );
    o.events.record(regardingOf(backup), {
      type: 'Normal',
      reason: EventReasons.BackupStarted,
      action: 'Copy',
      note: `copying ${backup.spec.source} to ${backup.spec.target} (attempt ${attempt})`,
    });
    const progress = progressWriter(name);
    const startedAt = performance.now();
    const seconds = (): number => (performance.now() - startedAt) / 1000;
    let result: BackupCopy;
    try {
      result = await o.copy(backup, signal, progress.report);
    } catch (error) {
      await progress.settled();
      if (signal.aborted) {
        logger.info({ backup: name }, 'copy interrupted by shutdown: left for the next leader');
        return;
      }
      return failed(backup, generation, started, error, seconds());
    }
    await progress.settled();
    o.metrics.copied({ ...result, seconds: seconds() });
    const end = readyStatus(started.status, result, generation, new Date());
    if ((await writeEnd(name, end, started.status, generation)) === 'refused') return recordRefused(backup);
    logger.info(
      { backup: name, targetDigest: result.targetDigest, skipped: result.skipped, private: result.private },
      result.skipped ? 'backup already present' : 'backup copied',
    );
    recordReady(backup, result);
  }

  async function recheck(
    backup: ImageBackup,
    generation: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const startedAt = performance.now();
    const seconds = (): number => (performance.now() - startedAt) / 1000;
    let result: BackupCopy;
    try {
      result = await o.copy(backup, signal, () => {});
    } catch (error) {
      if (signal.aborted) return;
      return failed(backup, generation, backup, error, seconds());
    }
    if (!result.skipped) o.metrics.copied({ ...result, seconds: seconds() });
    const ready = readyStatus(backup.status, result, generation, new Date());
    // Found in place: the progress of the copy that put it there ("8/8 blobs, 100%") stays.
    const status = result.skipped ? { ...ready, progress: backup.status?.progress ?? ready.progress } : ready;
    if ((await writeStatus(name, status, backup)) === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.info(
      { backup: name, generation, targetDigest: result.targetDigest, skipped: result.skipped },
      'backup checked after a spec change',
    );
    // Nothing happened that a person would look for: an Event only when something was copied.
    if (!result.skipped) recordReady(backup, result);
  }

  /** A failed attempt: status Failed, Event, and the next attempt after the rate limiter's delay. */
  async function failed(
    backup: ImageBackup,
    generation: number,
    started: ImageBackup,
    error: unknown,
    seconds: number,
  ): Promise<ReconcileResult> {
    const name = backup.metadata.name;
    const failure = copyFailure(error);
    o.metrics.failed(failure.code, seconds);
    await writeEnd(
      name,
      failedStatus(started.status, failure, generation, new Date()),
      started.status,
      generation,
    );
    logger.warn({ backup: name, code: failure.code, error: failure.message }, 'copy failed');
    o.events.record(regardingOf(backup), {
      type: 'Warning',
      reason: EventReasons.BackupFailed,
      action: 'Copy',
      note: failure.message,
    });
    return { requeue: 'rateLimited' };
  }

  /**
   * Progress of one copy as status writes: none in the first interval (a small copy writes only its
   * end), then at most one per interval, one at a time, never awaited by the copy.
   */
  function progressWriter(name: string): {
    readonly report: (p: CopyProgress) => void;
    settled(): Promise<void>;
  } {
    let lastAt = performance.now();
    let inFlight: Promise<void> | undefined;
    return {
      report: (p) => {
        const now = performance.now();
        if (inFlight !== undefined || now - lastAt < o.progressIntervalMs) return;
        lastAt = now;
        inFlight = writeStatus(name, progressStatus(p))
          .then(
            () => undefined,
            (error: unknown) =>
              logger.debug({ backup: name, err: (error as Error).message }, 'progress not written'),
          )
          .finally(() => (inFlight = undefined));
      },
      settled: () => inFlight ?? Promise.resolve(),
    };
  }

  return { copy, recheck };
}
