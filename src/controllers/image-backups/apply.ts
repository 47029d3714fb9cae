/**
 * The effects of the ImageBackup controller's steps (decide.ts): copies through copy-backup.ts,
 * status writes, Events, metrics, log lines. Writes per backup: Copying when an attempt starts
 * (guarded by the resourceVersion it was planned from, so two leaders never both start one), a
 * progress write at most once per `progressIntervalMs` and only for a copy that lasts longer, and
 * Ready or Failed at the end. Events: BackupReady or BackupFailed at the end, and BackupStarted
 * before it for every attempt but one that ends Ready within the progress interval: like the progress
 * write, the start of an attempt is worth an Event only for a copy someone may watch (a long one) or
 * one that goes wrong (failed, refused, interrupted); a quick copy's BackupReady says all of it, and
 * leaves one Event per backup (issue 14's write budget).
 * A backup that was Ready is never copied by its tag again (issue 15): its recheck looks at the
 * backup registry and ends Ready (at most one write) or Degraded (BackupDamaged, rate-limited
 * recheck); its source check writes one status per check and records SourceGone, SourceChanged or
 * SourceBack once per change.
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
import {
  degradedStatus,
  failedStatus,
  progressStatus,
  readyStatus,
  startedStatus,
  type CopyOutcome,
  type StatusPatch,
} from './copy-status.ts';
import { generationOf } from './decide.ts';
import { recheckAction, type OnSourceChange } from './recheck-decision.ts';
import type { SourceCheckBudget } from './source-check-budget.ts';
import { sourceCheckOutcome } from './source-check-status.ts';
import type { SourceProbe } from './source-probe.ts';
import type { CopyMetrics } from './metrics.ts';
import type { OwnWrites } from './own-writes.ts';

/**
 * Copies `backup`'s image to the backup registry (copy-backup.ts; a fake in tests); with `pin`, the
 * source is read by that digest rather than by its tag.
 */
export type CopyFn = (
  backup: ImageBackup,
  signal: AbortSignal,
  onProgress: (p: CopyProgress) => void,
  pin?: string,
) => Promise<BackupCopy>;

/** The recheck's look at the backup registry (backup-check.ts; a fake in tests). */
export interface BackupRegistryCheck {
  /** What of the backup's manifests is missing there (`repository@digest` each); empty: intact. */
  findMissing(backup: ImageBackup, targetDigest: string, signal: AbortSignal): Promise<string[]>;
  /** Writes missing anchors and the backup's tag from the backup registry's own bytes. */
  repair(backup: ImageBackup, targetDigest: string, signal: AbortSignal): Promise<{ anchorsWritten: number }>;
}

export interface BackupEffectsOptions {
  readonly client: Pick<ResourceClient<ImageBackup>, 'patchStatus'>;
  readonly own: Pick<OwnWrites, 'wrote'>;
  readonly copy: CopyFn;
  readonly backupRegistry: BackupRegistryCheck;
  /** HEADs the backup's source reference with the logins a copy would use (source-probe.ts). */
  readonly probeSource: (backup: ImageBackup, signal: AbortSignal) => Promise<SourceProbe>;
  /** The registry host a backup's source is read from: the key of the source-check budget. */
  readonly sourceHost: (backup: ImageBackup) => string;
  readonly budget: SourceCheckBudget;
  readonly onSourceChange: OnSourceChange;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly metrics: CopyMetrics;
  readonly logger: Logger;
  readonly progressIntervalMs: number;
}

export interface BackupEffects {
  /** One attempt: Copying → copy → Ready, or Failed and a rate-limited retry. */
  copy(backup: ImageBackup, generation: number, signal: AbortSignal): Promise<ReconcileResult | void>;
  /** A backup that was Ready: the backup registry checked, repaired, or Degraded; one status write. */
  recheck(backup: ImageBackup, generation: number, signal: AbortSignal): Promise<ReconcileResult | void>;
  /** A Ready backup's source check: one HEAD, one status write, Events on change. */
  checkSource(backup: ImageBackup, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** The cache was behind another writer: look again shortly, their event is on its way. */
const REQUEUE_AFTER_RACE_MS = 500;
/** A 429 without (or with an absurd) Retry-After: the source registry is left alone this long. */
const MIN_THROTTLE_MS = 1_000;
const MAX_THROTTLE_MS = 3_600_000;

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
    const announce = startAnnouncer(backup, attempt);
    const progress = progressWriter(name);
    const startedAt = performance.now();
    const seconds = (): number => (performance.now() - startedAt) / 1000;
    let result: BackupCopy;
    try {
      result = await o.copy(backup, signal, progress.report);
    } catch (error) {
      announce.now();
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
    if ((await writeEnd(name, end, started.status, generation)) === 'refused') {
      announce.now();
      return recordRefused(backup);
    }
    announce.cancel();
    logger.info(
      { backup: name, targetDigest: result.targetDigest, skipped: result.skipped, private: result.private },
      result.skipped ? 'backup already present' : 'backup copied',
    );
    recordReady(backup, result);
  }

  /**
   * A backup that was Ready, rechecked (a spec change, the workload controller finding a manifest
   * missing, a Degraded backup's backoff over): the BACKUP registry is looked at, the source only
   * when something is missing there (recheck-decision.ts). Never Failed: Ready, or Degraded with
   * BackupDamaged and a rate-limited recheck. A backup registry that cannot be asked changes nothing
   * and is asked again with backoff.
   */
  async function recheck(
    backup: ImageBackup,
    generation: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const { targetDigest, sourceDigest } = backup.status ?? {};
    // Nothing earlier recorded what to look for: the backup is copied as a new one.
    if (targetDigest === undefined || sourceDigest === undefined) return copy(backup, generation, signal);
    let missing: string[];
    try {
      missing = await o.backupRegistry.findMissing(backup, targetDigest, signal);
    } catch (error) {
      if (signal.aborted) return;
      logger.warn({ backup: name, err: (error as Error).message }, 'backup registry not checked: retried');
      return { requeue: 'rateLimited' };
    }
    const probe = missing.length === 0 ? undefined : await o.probeSource(backup, signal);
    if (signal.aborted) return;
    const action = recheckAction({
      backup: missing.length === 0 ? { kind: 'present' } : { kind: 'damaged', missing },
      source: probe,
      sourceDigest,
      reference: backup.spec.source,
      onSourceChange: o.onSourceChange,
    });
    switch (action.kind) {
      case 'ready':
        return rechecked(backup, generation, targetDigest, signal);
      case 'degraded':
        return degraded(backup, generation, action.message);
      case 'recopy':
        return recopy(backup, generation, action.digest, missing, signal);
    }
  }

  /** Everything is in the backup registry: anchors (and the backup's tag) repaired in place; Ready. */
  async function rechecked(
    backup: ImageBackup,
    generation: number,
    targetDigest: string,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    let anchorsWritten: number;
    try {
      anchorsWritten = (await o.backupRegistry.repair(backup, targetDigest, signal)).anchorsWritten;
    } catch (error) {
      if (signal.aborted) return;
      logger.warn({ backup: name, err: (error as Error).message }, 'anchors not repaired: retried');
      return { requeue: 'rateLimited' };
    }
    const s = backup.status!;
    if (s.phase === 'Ready' && s.observedGeneration === generation) {
      // A new leader's look: nothing to record (the write budget is one status write per change).
      logger.debug({ backup: name, targetDigest, anchorsWritten }, 'backup checked in the backup registry');
      return;
    }
    const ready = readyStatus(s, presentOutcome(s, targetDigest), generation, new Date());
    // Found in place: the progress of the copy that put it there ("8/8 blobs, 100%") stays.
    const status = { ...ready, progress: s.progress ?? ready.progress };
    if ((await writeStatus(name, status, backup)) === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.info(
      { backup: name, generation, targetDigest, anchorsWritten },
      'backup checked in the backup registry',
    );
  }

  /** A piece is missing and the source still serves the same digest: copied again, pinned to it. */
  async function recopy(
    backup: ImageBackup,
    generation: number,
    digest: string,
    missing: readonly string[],
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const startedAt = performance.now();
    let result: BackupCopy;
    try {
      result = await o.copy(backup, signal, () => {}, digest);
    } catch (error) {
      if (signal.aborted) return;
      const failure = copyFailure(error);
      return degraded(
        backup,
        generation,
        `missing in the backup registry: ${missing.join(', ')}; copying ${digest} again failed: ${failure.message}`,
      );
    }
    o.metrics.copied({ ...result, seconds: (performance.now() - startedAt) / 1000 });
    const status = readyStatus(backup.status, result, generation, new Date());
    if ((await writeStatus(name, status, backup)) === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.info({ backup: name, missing, targetDigest: result.targetDigest }, 'damaged backup repaired');
    recordReady(backup, result);
  }

  /** Damaged and the source cannot repair it: Degraded, BackupDamaged, rechecked with backoff. */
  async function degraded(
    backup: ImageBackup,
    generation: number,
    message: string,
  ): Promise<ReconcileResult> {
    const name = backup.metadata.name;
    const was = backup.status;
    const written = await writeStatus(name, degradedStatus(was, message, generation, new Date()), backup);
    if (written === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.warn({ backup: name, error: message }, 'backup damaged');
    // Once per new finding, not once per recheck of the same damage.
    if (was?.phase !== 'Degraded' || was.lastError !== message) {
      o.events.record(regardingOf(backup), {
        type: 'Warning',
        reason: EventReasons.BackupDamaged,
        action: 'Check',
        note: message,
      });
    }
    return { requeue: 'rateLimited' };
  }

  /**
   * One source check of a Ready backup (issue 15 items 3, 4): a HEAD within the per-registry
   * budget, its answer to status and Events (source-check-status.ts); with follow, a moved tag is
   * copied (pinned to the new digest, with its own anchors) and the backup's tag moves to it. A 429
   * pauses that registry for Retry-After and writes nothing: a busy source is not a gone one.
   */
  async function checkSource(backup: ImageBackup, signal: AbortSignal): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const host = o.sourceHost(backup);
    const wait = o.budget.take(host, name);
    if (wait > 0) return { requeueAfter: wait };
    const probe = await o.probeSource(backup, signal);
    if (signal.aborted) return;
    if (probe.kind === 'throttled') {
      const ms = Math.min(MAX_THROTTLE_MS, Math.max(MIN_THROTTLE_MS, probe.retryAfterMs ?? MIN_THROTTLE_MS));
      o.budget.pause(host, ms);
      logger.info({ backup: name, host, waitMs: ms }, 'source registry asked to slow down: check postponed');
      return { requeueAfter: ms };
    }
    const generation = generationOf(backup);
    const now = new Date();
    const outcome = sourceCheckOutcome(
      backup.status,
      probe,
      backup.spec.source,
      o.onSourceChange,
      generation,
      now,
    );
    let status = outcome.status;
    let followed: BackupCopy | undefined;
    const events = [...outcome.events];
    if (outcome.follow !== undefined) {
      const startedAt = performance.now();
      try {
        followed = await o.copy(backup, signal, () => {}, outcome.follow);
        o.metrics.copied({ ...followed, seconds: (performance.now() - startedAt) / 1000 });
        // Ready with the new digests; SourceAvailable as the check finds it against them (no drift).
        const against = { ...backup.status, sourceDigest: followed.sourceDigest };
        const source = sourceCheckOutcome(against, probe, backup.spec.source, 'keep', generation, now).status;
        const ready = readyStatus(
          { ...backup.status, conditions: source.conditions ?? [] },
          followed,
          generation,
          now,
        );
        status = {
          ...ready,
          sourceCheckedAt: status.sourceCheckedAt,
          sourceLatestDigest: status.sourceLatestDigest,
        };
      } catch (error) {
        if (signal.aborted) return;
        const failure = copyFailure(error);
        events.push({
          type: 'Warning',
          reason: EventReasons.BackupFailed,
          action: 'Copy',
          note: `following ${backup.spec.source} to ${outcome.follow} failed: ${failure.message}; the backup keeps ${backup.status?.targetDigest ?? 'its digest'}`,
        });
      }
    }
    if ((await writeStatus(name, status, backup)) === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.info({ backup: name, source: probe.kind, followed: followed?.targetDigest }, 'source checked');
    for (const e of events) o.events.record(regardingOf(backup), e);
    if (followed !== undefined) recordReady(backup, followed);
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
   * BackupStarted for one attempt: recorded once the attempt has lasted the progress interval, or
   * at once by `now()` (an attempt that ends otherwise than Ready); `cancel()` (a quick Ready) drops
   * it if not yet recorded. The timer never holds the process open.
   */
  function startAnnouncer(backup: ImageBackup, attempt: number): { now(): void; cancel(): void } {
    let done = false;
    const now = (): void => {
      clearTimeout(timer);
      if (done) return;
      done = true;
      o.events.record(regardingOf(backup), {
        type: 'Normal',
        reason: EventReasons.BackupStarted,
        action: 'Copy',
        note: `copying ${backup.spec.source} to ${backup.spec.target} (attempt ${attempt})`,
      });
    };
    const timer = setTimeout(now, o.progressIntervalMs);
    timer.unref();
    return {
      now,
      cancel: () => {
        clearTimeout(timer);
        done = true;
      },
    };
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

  return { copy, recheck, checkSource };
}

/** What a recheck that found the backup in place reports: the digests it holds, nothing copied. */
function presentOutcome(s: ImageBackupStatus, targetDigest: string): CopyOutcome {
  return {
    sourceDigest: s.sourceDigest ?? targetDigest,
    targetDigest,
    mediaType: s.mediaType ?? '',
    platforms: s.platforms ?? [],
    bytesTotal: s.bytesTotal ?? 0,
    blobsTotal: s.blobsTotal ?? 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    skipped: true,
    private: s.private ?? false,
  };
}
