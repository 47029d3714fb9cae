// The workload controller's effects: one decided step (decide.ts) performed against the API, the
// registries, the Event recorder and the metrics. Nothing here chooses what to do; it only does it
// and says how the key comes back.
//
// Promises:
// - Writes: ImageBackup creates (`create-backups`), the workload's one guarded JSON patch
//   (`rewrite`), one `status.phase=Pending` on a Ready backup whose manifest is missing, guarded
//   by the resourceVersion read (a copy that just finished is not undone; the ImageBackup controller
//   copies it again), and under `--private-images=isolated` a private backup's `status.readers`
//   (readers.ts). Nothing else is written, and never to an existing backup's spec.
// - Under `--private-images=skip` no backup is created before an anonymous HEAD of its source
//   succeeded (remembered as registry-checks.ts says): a private source is never copied.
// - A lost race (409/422/404, api/guarded-write.ts) plans again on fresh state through the
//   controller's rate limiter (`requeue: 'rateLimited'`): soon at first, then with backoff. So do the
//   rechecks only time or a person fixes (a private source this namespace cannot read, a backup
//   manifest being copied again).
// - A workload is never pointed at a backup whose top manifest the backup registry lacks: the HEAD
//   (registry-checks.ts: "present" remembered a while, "missing" never) comes after the cache says
//   Ready, right before the patch. A registry that cannot answer throws (temporary): the key is
//   retried with backoff and nothing is rewritten meanwhile.
// - Events that describe a state are recorded once per workload generation (report-once.ts);
//   those that describe an action (ImagesMovedToBackup, RewriteConflict) each time it happens.
// - Dry run: nothing written anywhere; Events WouldBackUp / WouldRewrite and log lines instead.
import type { Logger } from 'pino';
import type {
  EventRecorder,
  KubeObject,
  ObjectReference,
  ReconcileResult,
  ResourceClient,
} from '../../kube/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { guarded } from '../api/guarded-write.ts';
import type { ImageBackup, PullSecretRef } from '../api/image-backup-schema.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import type { CreationExpectations } from './creation-expectations.ts';
import type { Decision, PrivateSource, WaitReason } from './decide.ts';
import {
  accessDeniedEvent,
  changesOf,
  conflictEvent,
  invalidImageEvent,
  movedEvent,
  privateSkippedEvent,
  revertedEvent,
  wouldBackUpEvent,
  wouldRewriteEvent,
} from './events.ts';
import type { RewriteMetrics } from './metrics.ts';
import type { RegistryChecks } from './registry-checks.ts';
import type { ReportOnce } from './report-once.ts';
import type { ImageRewrite } from './rewrite.ts';
import { recordReader } from './readers.ts';

export interface ApplyDeps {
  readonly backups: Pick<ResourceClient<ImageBackup & KubeObject>, 'create' | 'patchStatus'>;
  readonly workloads: (kind: WorkloadKind) => Pick<ResourceClient<KubeObject>, 'jsonPatch'>;
  /** The ImageBackups' cache: the resourceVersion the Pending write is guarded by. */
  readonly backupCache: { get(name: string): (ImageBackup & KubeObject) | undefined };
  readonly checks: RegistryChecks;
  readonly creating: CreationExpectations;
  readonly reported: ReportOnce;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly metrics: RewriteMetrics;
  readonly logger: Logger;
  /** `--pull-secret-name`, for the log line of the wait. */
  readonly pullSecretName?: string | undefined;
}

/** The workload a step is applied to, as the controller read it. */
export interface ApplyTarget {
  /** `Kind/namespace/name`. */
  readonly key: string;
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly regarding: ObjectReference;
  /** The Secrets its pods pull with (read from the caches only when a private source asks). */
  pullSecretRefs(): readonly PullSecretRef[];
}

const RATE_LIMITED: ReconcileResult = Object.freeze({ requeue: 'rateLimited' });

/**
 * The pull secret is created by the pull-secret controller within a second of a namespace
 * appearing, and its arrival enqueues the namespace's workloads: this is only the safety net.
 */
const PULL_SECRET_WAIT_MS = 5_000;

/** The key under which a dry run's report is remembered per generation (not an Event reason). */
const DRY_RUN_REPORT = 'DryRun';

export function createApplier(d: ApplyDeps) {
  const record = (t: ApplyTarget, event: Parameters<EventRecorder['record']>[1]): void =>
    d.events.record(t.regarding, event);
  const first = (t: ApplyTarget, reason: string): boolean => d.reported.first(t.uid, t.generation, reason);

  return async function apply(
    decision: Decision,
    t: ApplyTarget,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    switch (decision.step) {
      case 'leave':
        return;
      case 'report-invalid':
        if (first(t, EventReasons.InvalidImageReference)) {
          d.logger.warn(
            { workload: t.key, invalid: decision.invalid },
            'invalid image reference: workload skipped',
          );
          record(t, invalidImageEvent(decision.invalid));
        }
        return;
      case 'report-reverted':
        if (first(t, EventReasons.RewriteReverted)) {
          d.logger.info({ workload: t.key }, 'original images put back by another writer: left as it is');
          d.metrics.rewrite(t.kind, 'reverted');
          record(t, revertedEvent());
        }
        return;
      case 'unmappable':
        // Permanent: the controller's error policy logs it and forgets the key until it changes.
        throw decision.error;
      case 'dry-run':
        return dryRun(t, decision.create, decision.rewrites);
      case 'create-backups':
        return createBackups(t, decision, signal);
      case 'skip-private':
        return skipPrivate(t, decision.sources);
      case 'check-readers':
        return checkReaders(t, decision.sources, signal);
      case 'wait':
        return wait(t, decision.reason);
      case 'rewrite':
        return rewrite(t, decision, signal);
    }
  };

  function wait(t: ApplyTarget, reason: WaitReason): ReconcileResult | void {
    switch (reason) {
      case 'copying':
        return; // the backups' updates enqueue it (the backup-name index)
      case 'creating':
        // Their Add events enqueue it too; a create that failed in another worker adds none, so a
        // cheap look at the cache again, soon and then with backoff.
        return RATE_LIMITED;
      case 'pull-secret':
        d.logger.debug({ workload: t.key, secret: d.pullSecretName }, 'waiting for the pull secret');
        return { requeueAfter: PULL_SECRET_WAIT_MS };
    }
  }

  /**
   * Leaves the workload as it is (`--private-images=skip`): PrivateSourceSkipped once per generation,
   * and a look again with backoff, in case the source turns public.
   */
  function skipPrivate(t: ApplyTarget, sources: readonly PrivateSource[]): ReconcileResult {
    if (first(t, EventReasons.PrivateSourceSkipped)) {
      d.logger.info(
        { workload: t.key, sources: sources.map((s) => s.source) },
        'private source (an anonymous HEAD was refused): not backed up, --private-images=skip',
      );
      record(t, privateSkippedEvent(sources));
    }
    return RATE_LIMITED;
  }

  /**
   * Creates each missing backup once: the second worker to see it missing waits for the cache. With
   * `anonymousCheck`, each source is HEADed anonymously first and a private one means none is made.
   */
  async function createBackups(
    t: ApplyTarget,
    decision: Extract<Decision, { step: 'create-backups' }>,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const { create } = decision;
    // Synchronously, before any await: no other worker decides in between (creation-expectations.ts).
    for (const backup of create) d.creating.expect(backup.metadata.name);
    if (decision.anonymousCheck) {
      let refused: PrivateSource[];
      try {
        refused = await privateOf(decision, signal);
      } catch (err) {
        for (const b of create) d.creating.observed(b.metadata.name);
        throw err;
      }
      if (refused.length > 0) {
        for (const b of create) d.creating.observed(b.metadata.name);
        return skipPrivate(t, refused);
      }
    }
    let raced = false;
    for (const [i, backup] of create.entries()) {
      const { name } = backup.metadata;
      let created;
      try {
        created = await guarded(() => d.backups.create(backup));
      } catch (err) {
        // Nothing is coming for this one and those after it; those before it were created.
        for (const b of create.slice(i)) d.creating.observed(b.metadata.name);
        throw err;
      }
      if (created === 'race') {
        // Created by someone else (another replica, a person): the cache shows it soon.
        raced = true;
        continue;
      }
      d.logger.info({ workload: t.key, backup: name, source: backup.spec.source }, 'ImageBackup created');
    }
    // The backups' Add events enqueue this workload again (the backup-name index).
    return raced ? RATE_LIMITED : undefined;
  }

  /** The sources among `create` an anonymous HEAD is refused (`[]` for no login: anonymous only). */
  async function privateOf(
    decision: Extract<Decision, { step: 'create-backups' }>,
    signal: AbortSignal,
  ): Promise<PrivateSource[]> {
    const uses = [...(decision.plan?.rewrites ?? []), ...(decision.plan?.onBackups ?? [])];
    const refused: PrivateSource[] = [];
    for (const backup of decision.create) {
      const { name } = backup.metadata;
      const { source } = backup.spec;
      if (await d.checks.sourceReadable(source, [], signal)) continue;
      const containers = uses.filter((u) => u.backupName === name).map((u) => u.container);
      refused.push({ container: [...new Set(containers)].join(','), source });
    }
    return refused;
  }

  /**
   * `--private-images=isolated`, a workload already on private backups its namespace is not recorded
   * for: its own access is checked (remembered as registry-checks.ts says) and recorded when shown.
   * A refusal is looked at again with backoff; its pods cannot pull that backup meanwhile.
   */
  async function checkReaders(
    t: ApplyTarget,
    sources: Extract<Decision, { step: 'check-readers' }>['sources'],
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const refs = t.pullSecretRefs();
    let again = false;
    for (const { backupName, source } of sources) {
      const readable = await d.checks.sourceReadable(source, refs, signal);
      if (!readable) {
        d.logger.info(
          { workload: t.key, source },
          'runs a private backup its namespace cannot read: not a reader',
        );
        again = true;
        continue;
      }
      if ((await recordReader(d, backupName, t.namespace, true)) === 'race') again = true;
    }
    // Recorded: the backup's update (readers) enqueues this workload, which then leaves it.
    return again ? RATE_LIMITED : undefined;
  }

  async function rewrite(
    t: ApplyTarget,
    decision: Extract<Decision, { step: 'rewrite' }>,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    if (decision.private.length > 0) {
      const refs = t.pullSecretRefs();
      for (const { rewrite: r, source } of decision.private) {
        const readable = await d.checks.sourceReadable(source, refs, signal);
        if (decision.recordReaders) {
          const recorded = await recordReader(d, r.backupName, t.namespace, readable);
          if (recorded === 'race') return RATE_LIMITED;
        }
        if (readable) continue;
        if (first(t, EventReasons.BackupAccessDenied)) {
          d.metrics.rewrite(t.kind, 'access_denied');
          d.logger.warn(
            { workload: t.key, source },
            "private source not readable with this namespace's credentials: not rewritten",
          );
          record(t, accessDeniedEvent(r.container, source, refs));
        }
        return RATE_LIMITED;
      }
    }
    for (const r of decision.rewrites) {
      if (!(await manifestPresent(r, signal))) return RATE_LIMITED;
    }
    const patched = await guarded(() =>
      d.workloads(t.kind).jsonPatch(t.name, decision.patch, { namespace: t.namespace }),
    );
    if (patched === 'race') {
      d.metrics.rewrite(t.kind, 'conflict');
      d.logger.info({ workload: t.key }, 'workload changed since it was read: planning again');
      record(t, conflictEvent());
      return RATE_LIMITED;
    }
    d.metrics.rewrite(t.kind, 'rewritten');
    d.logger.info(
      {
        workload: t.key,
        changes: changesOf(decision.rewrites, (r) => r.target),
        generation: patched.metadata.generation,
      },
      'images moved to the backup registry',
    );
    record(t, movedEvent(decision.rewrites));
  }

  /**
   * Whether the backup manifest `r` points at is in the backup registry. When it is not, the backup
   * is set back to Pending (guarded by the resourceVersion read, so a copy that just finished is not
   * undone) for the ImageBackup controller to copy again.
   */
  async function manifestPresent(r: ImageRewrite, signal: AbortSignal): Promise<boolean> {
    const { repository, digest } = r.manifest!;
    if (await d.checks.backupManifestPresent(repository, digest, signal)) return true;
    d.logger.warn(
      { backup: r.backupName, repository, digest },
      'Ready backup has no manifest in the backup registry: copying it again',
    );
    const backup = d.backupCache.get(r.backupName);
    if (backup !== undefined) {
      await guarded(() =>
        d.backups.patchStatus(r.backupName, {
          metadata: { resourceVersion: backup.metadata.resourceVersion },
          status: { phase: 'Pending' },
        }),
      );
    }
    return false;
  }

  /** Logs and Events instead of writes, once per workload generation. */
  function dryRun(t: ApplyTarget, create: readonly ImageBackup[], rewrites: readonly ImageRewrite[]): void {
    if (!first(t, DRY_RUN_REPORT)) return;
    for (const backup of create) {
      const { source, target } = backup.spec;
      d.logger.info({ workload: t.key, source, target }, 'dry run: would back up');
      record(t, wouldBackUpEvent(backup));
    }
    if (rewrites.length === 0) return;
    d.metrics.rewrite(t.kind, 'dry_run');
    d.logger.info(
      { workload: t.key, changes: changesOf(rewrites, (r) => r.preview) },
      'dry run: would rewrite',
    );
    record(t, wouldRewriteEvent(rewrites));
  }
}

export type Apply = ReturnType<typeof createApplier>;
