/**
 * The ImageBackup controller (SPEC §1.4): brings every ImageBackup's image into the backup registry
 * and reports it in the object's status, which it alone writes (bar the workload controller's one
 * Ready → Pending when a backup manifest went missing).
 *
 * The loop, as sample-controller's: an informer on ImageBackups enqueues names; a worker reconciles
 * one: read from the cache → decide whether a copy is needed → copy → write status.
 * - Work is needed when `status.phase !== 'Ready'` or `status.observedGeneration !== generation`.
 * - One worker per copy slot: at most `maxConcurrentCopies` copies at once, all through ONE copy
 *   scheduler, so concurrent copies upload a shared blob once and mount it into the others.
 * - An attempt: Copying (guarded by the cached resourceVersion, so two leaders never both start
 *   one; Event BackupStarted) → progress at most once per `progressIntervalMs` → Ready (Event
 *   BackupReady) or Failed (Event BackupFailed). An image already in the backup registry costs no
 *   copy (copyImage's HEADs) and still ends Ready with its digests.
 * - Failed is retried with exponential backoff through `requeueAfter` (5 s doubling to 5 min),
 *   temporary and permanent errors alike: a Secret may be added, the source fixed. A spec change
 *   (new generation) is tried at once. The backoff lives in memory: a new leader tries each Failed
 *   backup once at start, then backs off again.
 * - The shutdown signal aborts copies in flight; their objects stay Copying for the next leader,
 *   which starts them again (nothing is pushed under a reference before everything under it is).
 * - Only the leader runs: followers' caches stay warm, nothing is written or recorded.
 */
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createController,
  isConflict,
  isNotFound,
  type Controller,
  type EventRecorder,
  type KubeRequester,
  type ObjectReference,
  type ReconcileResult,
  type SharedInformers,
} from '../../kube/index.ts';
import { createCopyScheduler, type CopyProgress } from '../../registry/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { copyBackup, type BackupCopy } from './copy-backup.ts';
import { copyFailure, DEFAULT_RETRY, retryDelay, type RetryPolicy } from './copy-failure.ts';
import { failedStatus, progressStatus, readyStatus, startedStatus, type StatusPatch } from './copy-status.ts';
import { copyMetrics } from './metrics.ts';
import type { RegistryAccess } from './registry-access.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../api/image-backup-resource.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';

export interface ImageBackupControllerOptions {
  api: KubeRequester;
  /** The process's shared informers. */
  informers: Pick<SharedInformers, 'informerFor'>;
  access: RegistryAccess;
  /** Where Events go (the process's rate-limited recorder; a fake in tests). */
  events: Pick<EventRecorder, 'record'>;
  logger?: Logger;
  registry?: Registry;
  /** `--max-concurrent-copies` (≥ 1). */
  maxConcurrentCopies: number;
  /** Backoff of failed copies; DEFAULT_RETRY (5 s doubling to 5 min) when absent. */
  retry?: RetryPolicy;
  /** Least time between two status writes of one object during a copy (default 2 s, SPEC §1.4). */
  progressIntervalMs?: number;
}

export interface ImageBackupController {
  readonly controller: Controller;
  /** True once the ImageBackup informer has listed. */
  hasSynced(): boolean;
  /** Waits for the cache, then reconciles until `signal` aborts; copies in flight are aborted. */
  run(signal: AbortSignal): Promise<void>;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 2_000;
/** The cache was behind our own write: look again shortly, the event is on its way. */
const REQUEUE_AFTER_RACE_MS = 500;

/** What this leader last concluded about a backup, so a stale cache does not start a copy again. */
interface Outcome {
  readonly uid: string | undefined;
  readonly generation: number;
  readonly phase: 'Ready' | 'Failed';
  /** Failures in a row (0 after Ready). */
  readonly failures: number;
  /** When a Failed backup may be tried again (Date.now() ms). */
  readonly retryAt: number;
}

export function createImageBackupController(o: ImageBackupControllerOptions): ImageBackupController {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'image-backups' });
  const retry = o.retry ?? DEFAULT_RETRY;
  const progressInterval = o.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const backups = o.informers.informerFor<ImageBackup & { metadata: { name: string } }>(IMAGE_BACKUPS);
  const client = imageBackupClient(o.api);
  const scheduler = createCopyScheduler();
  const metrics = copyMetrics(o.registry, () => backups.list());
  const outcomes = new Map<string, Outcome>();

  const controller = createController({
    name: 'image-backups',
    workers: o.maxConcurrentCopies,
    reconcile: (name, signal) => reconcile(name, signal),
    logger,
    ...(o.registry ? { registry: o.registry } : {}),
  });
  backups.addHandlers({
    onAdd: (b) => controller.enqueue(b.metadata.name),
    onUpdate: (_old, b) => controller.enqueue(b.metadata.name),
    onDelete: (b) => outcomes.delete(b.metadata.name),
  });

  async function reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const backup = backups.get(name);
    if (backup === undefined) return void outcomes.delete(name);
    if (backup.metadata.deletionTimestamp !== undefined) return;
    const generation = generationOf(backup);
    if (backup.status?.phase === 'Ready' && backup.status.observedGeneration === generation) return;
    const last = outcomes.get(name);
    // Our last write of this generation has not reached the cache yet, or the backoff is running.
    // A Pending phase is the workload controller asking for a new copy: always honoured.
    if (
      last !== undefined &&
      last.uid === backup.metadata.uid &&
      last.generation === generation &&
      backup.status?.phase !== 'Pending'
    ) {
      if (last.phase === 'Ready') return;
      const wait = last.retryAt - Date.now();
      if (wait > 0) return { requeueAfter: wait };
    }
    // A Ready backup whose spec changed (usually one more workload's pullSecretRefs) is checked, not
    // copied: the copy engine's HEADs find the image in place, and no attempt or Event is spent on it.
    if (backup.status?.phase === 'Ready') return recheck(backup, generation, signal);
    return copy(backup, generation, signal);
  }

  /** One copy of `backup`'s spec through the process's shared scheduler. */
  function copyOf(
    backup: ImageBackup,
    signal: AbortSignal,
    onProgress: (p: CopyProgress) => void,
  ): Promise<BackupCopy> {
    return copyBackup({ access: o.access, spec: backup.spec, scheduler, signal, onProgress, logger });
  }

  /** A Ready backup's new generation: one copy call, which costs only HEADs when nothing changed. */
  async function recheck(
    backup: ImageBackup,
    generation: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const startedAt = performance.now();
    let result: BackupCopy;
    try {
      result = await copyOf(backup, signal, () => {});
    } catch (error) {
      if (signal.aborted) return;
      return failed(backup, generation, backup, error, (performance.now() - startedAt) / 1000);
    }
    outcomes.set(name, outcomeOf(backup, generation, 'Ready', 0, 0));
    if (!result.skipped) metrics.copied({ ...result, seconds: (performance.now() - startedAt) / 1000 });
    const ready = readyStatus(backup.status, result, generation, new Date());
    // Found in place: the progress of the copy that put it there ("8/8 blobs, 100%") stays.
    const status = result.skipped ? { ...ready, progress: backup.status?.progress ?? ready.progress } : ready;
    const written = await writeStatus(name, status, backup);
    if (written === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    logger.info(
      { backup: name, generation, targetDigest: result.targetDigest, skipped: result.skipped },
      'backup checked after a spec change',
    );
    if (!result.skipped) {
      o.events.record(referenceOf(backup), {
        type: 'Normal',
        reason: EventReasons.BackupReady,
        action: 'Copy',
        note: `copied ${backup.spec.source} (${result.sourceDigest}) to ${backup.spec.target} (${result.targetDigest})`,
      });
    }
  }

  async function copy(
    backup: ImageBackup,
    generation: number,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const name = backup.metadata.name;
    const started = await writeStatus(name, startedStatus(backup.status, generation, new Date()), backup);
    if (started === 'race') return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    const regarding = referenceOf(backup);
    const attempt = (backup.status?.attempts ?? 0) + 1;
    logger.info(
      { backup: name, source: backup.spec.source, target: backup.spec.target, attempt },
      'copy started',
    );
    o.events.record(regarding, {
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
      result = await copyOf(backup, signal, progress.report);
    } catch (error) {
      await progress.settled();
      if (signal.aborted) {
        logger.info({ backup: name }, 'copy interrupted by shutdown: left for the next leader');
        return;
      }
      return failed(backup, generation, started, error, seconds());
    }
    await progress.settled();
    outcomes.set(name, outcomeOf(backup, generation, 'Ready', 0, 0));
    metrics.copied({ ...result, seconds: seconds() });
    await writeStatus(name, readyStatus(started.status, result, generation, new Date()));
    logger.info(
      { backup: name, targetDigest: result.targetDigest, skipped: result.skipped, private: result.private },
      result.skipped ? 'backup already present' : 'backup copied',
    );
    o.events.record(regarding, {
      type: 'Normal',
      reason: EventReasons.BackupReady,
      action: 'Copy',
      note: result.skipped
        ? `${backup.spec.target} already held ${result.targetDigest}`
        : `copied ${backup.spec.source} (${result.sourceDigest}) to ${backup.spec.target} (${result.targetDigest})`,
    });
  }

  /** A failed attempt: status Failed, Event, and the next attempt after the backoff. */
  async function failed(
    backup: ImageBackup,
    generation: number,
    started: ImageBackup,
    error: unknown,
    seconds: number,
  ): Promise<ReconcileResult> {
    const name = backup.metadata.name;
    const failure = copyFailure(error);
    const failures = (outcomes.get(name)?.failures ?? 0) + 1;
    const delay = retryDelay(failures, retry);
    outcomes.set(name, outcomeOf(backup, generation, 'Failed', failures, Date.now() + delay));
    metrics.failed(failure.code, seconds);
    await writeStatus(name, failedStatus(started.status, failure, generation, new Date()));
    logger.warn(
      { backup: name, code: failure.code, error: failure.message, failures, retryInMs: delay },
      'copy failed',
    );
    o.events.record(referenceOf(backup), {
      type: 'Warning',
      reason: EventReasons.BackupFailed,
      action: 'Copy',
      note: failure.message,
    });
    return { requeueAfter: delay };
  }

  /**
   * Sends `status` as a merge patch; with `guard`, only onto the resourceVersion it was planned
   * from (409 → 'race'). A backup deleted meanwhile is a race too. Other errors are thrown.
   */
  async function writeStatus(
    name: string,
    status: StatusPatch,
    guard?: ImageBackup,
  ): Promise<ImageBackup | 'race'> {
    const rv = guard?.metadata.resourceVersion;
    try {
      return await client.patchStatus(name, {
        ...(typeof rv === 'string' ? { metadata: { resourceVersion: rv } } : {}),
        status,
      });
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) return 'race';
      throw error;
    }
  }

  /** Progress of one copy as status writes: at most one per interval, one at a time, never awaited by the copy. */
  function progressWriter(name: string): {
    readonly report: (p: CopyProgress) => void;
    settled(): Promise<void>;
  } {
    let lastAt = performance.now();
    let inFlight: Promise<void> | undefined;
    return {
      report: (p) => {
        const now = performance.now();
        if (inFlight !== undefined || now - lastAt < progressInterval) return;
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

  return {
    controller,
    hasSynced: () => backups.hasSynced(),
    async run(signal) {
      const aborted = new Promise<boolean>((resolve) =>
        signal.addEventListener('abort', () => resolve(false)),
      );
      const synced = await Promise.race([backups.synced, aborted]);
      if (!synced || signal.aborted) return;
      await controller.run(signal);
    },
  };
}

function generationOf(backup: ImageBackup): number {
  const generation = backup.metadata.generation;
  return typeof generation === 'number' ? generation : 0;
}

function outcomeOf(
  backup: ImageBackup,
  generation: number,
  phase: Outcome['phase'],
  failures: number,
  retryAt: number,
): Outcome {
  const uid = backup.metadata.uid;
  return { uid: typeof uid === 'string' ? uid : undefined, generation, phase, failures, retryAt };
}

function referenceOf(backup: ImageBackup): ObjectReference {
  const uid = backup.metadata.uid;
  return {
    apiVersion: `${IMAGE_BACKUPS.group}/${IMAGE_BACKUPS.version}`,
    kind: IMAGE_BACKUPS.kind,
    name: backup.metadata.name,
    ...(typeof uid === 'string' ? { uid } : {}),
  };
}
