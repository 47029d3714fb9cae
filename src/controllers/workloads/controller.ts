/**
 * The workload controller (SPEC §1.4): every image a Deployment, DaemonSet, StatefulSet or CronJob
 * runs gets an ImageBackup, and once all of them are Ready the workload is moved to the copies with
 * ONE guarded JSON patch.
 *
 * The loop, as the pull-secret controller's: informers on each kind of `kinds`, on Namespaces, on
 * ImageBackups, on ServiceAccounts and on the pull-secret copies enqueue `Kind/namespace/name` keys
 * (a backup through the index of the workloads that need it, a namespace or a pull-secret copy
 * through the namespace index); a worker reconciles one workload:
 *   cache → eligibility → InvalidImageReference → revert? → ensure backups → all Ready? →
 *   private backups readable with this namespace's refs? → every backup manifest present (HEAD)? →
 *   pull secret in the namespace? → one patch → ImagesMovedToBackup.
 * Promises:
 * - Only what `planRewrite` decides is written: ImageBackup creates, guarded growth of their
 *   `spec.pullSecretRefs`, one `status.phase=Pending` on a Ready backup whose manifest is missing
 *   (guarded by its resourceVersion; the ImageBackup controller copies it again), and the workload's
 *   patch. A workload already on its backups plans no patch: no rollout loop, ever.
 * - Every write is guarded; a lost race (409/422/404) is Event RewriteConflict (for the workload's
 *   patch) and a re-plan on fresh state, soon at first, then with backoff.
 * - A workload is never pointed at a backup whose top manifest the backup registry lacks: the HEAD
 *   comes after the cache says Ready, right before the patch. A registry that cannot answer throws
 *   (temporary): the key is retried with backoff and nothing is rewritten meanwhile.
 * - Another writer's revert is left alone (Event RewriteReverted once per generation).
 * - Dry run: nothing written anywhere; Events WouldBackUp / WouldRewrite and log lines instead,
 *   once per workload generation.
 * - Events and metrics come from reconciles, which run only while `run` runs (on the leader).
 */
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { backoffDelay } from '../../common/backoff.ts';
import {
  createController,
  INDEX,
  indexByNamespace,
  objectReference,
  RESOURCES,
  resourceClient,
  type Controller,
  type EventInput,
  type EventRecorder,
  type KubeObject,
  type KubeRequester,
  type ReconcileResult,
  type SharedInformer,
  type SharedInformers,
} from '../../kube/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { guarded, raceRetry } from '../api/guarded-write.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../api/image-backup-resource.ts';
import type { ImageBackup, PullSecretRef } from '../api/image-backup-schema.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';
import { BACKUP_NAME_INDEX, BACKUP_NAME_INDEX_FUNCS } from '../api/backup-index.ts';
import {
  workloadEligibility,
  type Eligibility,
  type EligibilityOptions,
  type EligibilityWorkload,
  type IneligibleReason,
} from './eligibility.ts';
import {
  accessDeniedEvent,
  changesOf,
  conflictEvent,
  invalidImageEvent,
  movedEvent,
  revertedEvent,
  wouldBackUpEvent,
  wouldRewriteEvent,
} from './events.ts';
import { rewriteMetrics } from './metrics.ts';
import { serviceAccountNameOf, workloadPullSecretRefs } from '../api/pull-secret-refs.ts';
import { parseWorkloadKey, WORKLOAD_RESOURCES, workloadKey } from '../api/workload-resources.ts';
import { isReverted } from '../api/original-images.ts';
import { planRewrite, type ImageRewrite, type RewritePlan } from './rewrite.ts';
import type { WorkloadKind } from '../api/workload-types.ts';

export interface WorkloadControllerOptions {
  api: KubeRequester;
  /** The process's shared informers: every controller watching a resource shares one cache. */
  informers: Pick<SharedInformers, 'informerFor'>;
  /** Asks the registries before a rewrite (image-backups/registry-access.ts; a fake in tests). */
  probe: RegistryProbe;
  events: Pick<EventRecorder, 'record'>;
  logger?: Logger;
  registry?: Registry;
  /** `--kinds`: only these are watched. */
  kinds: readonly WorkloadKind[];
  /** Which workloads and images are backed up; its `mapping` says where backups go. */
  eligibility: EligibilityOptions;
  /** `--platforms`; every platform when absent. */
  platforms?: readonly string[];
  /** `--pin-digest`. */
  pinDigest: boolean;
  /**
   * `--pull-secret-name` when `--backup-pull-secret` is given: added to each rewritten pod
   * template's `imagePullSecrets`, and the rewrite waits until the namespace holds it. Undefined:
   * nothing added, no wait.
   */
  pullSecretName?: string;
  /** `--dry-run`: write nothing; record WouldBackUp / WouldRewrite instead. */
  dryRun: boolean;
  workers?: number;
}

export interface WorkloadController {
  readonly controller: Controller;
  /** True once every informer has listed. */
  hasSynced(): boolean;
  /** Waits for the caches, then reconciles until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

type WorkloadObject = KubeObject & EligibilityWorkload;

const DEFAULTS = {
  /** As the pull-secret controller: enough to overlap one slow registry HEAD. */
  workers: 2,
  /**
   * The pull secret is created by the pull-secret controller within a second of a namespace
   * appearing; its arrival enqueues the namespace's workloads too, so this is only the safety net.
   */
  pullSecretWaitMs: 5_000,
} as const;

/**
 * Rechecks of a condition only time or a person fixes (a private source this namespace cannot read,
 * a backup manifest the ImageBackup controller must copy again): 5 s doubling to 5 min, jittered.
 */
/** Ineligible workloads that still get a plan: their backups in use are ensured (never rewritten). */
const PLANNED: ReadonlySet<IneligibleReason> = new Set(['not-ready', 'nothing-to-back-up']);

/** The key under which a dry run's report is remembered per generation (not an Event reason). */
const DRY_RUN_REPORT = 'DryRun';

const RECHECK = { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0.5, random: Math.random } as const;

export function createWorkloadController(o: WorkloadControllerOptions): WorkloadController {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'workloads' });
  const mapping = o.eligibility.mapping;
  const metrics = rewriteMetrics(o.registry);
  const races = raceRetry({ code: 'WORKLOAD_WRITE_RACE', what: 'workload', logger });

  const namespaces = o.informers.informerFor<NamespaceObject>(RESOURCES.namespaces);
  const backups = o.informers.informerFor<ImageBackup & KubeObject>(IMAGE_BACKUPS);
  const serviceAccounts = o.informers.informerFor<ServiceAccountObject>(RESOURCES.serviceAccounts);
  // The same request as the pull-secret controller's copies: one shared informer.
  const pullSecrets =
    o.pullSecretName === undefined
      ? undefined
      : o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
          fieldSelector: `metadata.name=${o.pullSecretName}`,
        });
  const workloads = new Map<WorkloadKind, SharedInformer<WorkloadObject>>();
  for (const kind of new Set(o.kinds)) {
    const informer = o.informers.informerFor<WorkloadObject>(WORKLOAD_RESOURCES[kind]);
    informer.addIndex(INDEX.namespace, indexByNamespace);
    informer.addIndex(BACKUP_NAME_INDEX, BACKUP_NAME_INDEX_FUNCS[kind]);
    workloads.set(kind, informer);
  }
  const backupClient = imageBackupClient(o.api);
  const workloadClients = new Map(
    [...workloads.keys()].map((kind) => [
      kind,
      resourceClient<WorkloadObject>(o.api, WORKLOAD_RESOURCES[kind]),
    ]),
  );

  /** key → reason → the generation it was reported for: Events that say the same thing once. */
  const reported = new Map<string, Map<string, number>>();
  /** key → rechecks in a row (access denied, manifest missing): the backoff of each. */
  const rechecks = new Map<string, number>();

  const controller = createController({
    name: 'workloads',
    workers: o.workers ?? DEFAULTS.workers,
    reconcile: (key, signal) => reconcile(key, signal),
    logger,
    ...(o.registry ? { registry: o.registry } : {}),
  });

  const forget = (key: string): void => {
    reported.delete(key);
    rechecks.delete(key);
    races.settled(key);
  };
  for (const [kind, informer] of workloads) {
    const enqueue = (w: WorkloadObject): void =>
      controller.enqueue(workloadKey(kind, w.metadata.namespace ?? '', w.metadata.name));
    informer.addHandlers({
      onAdd: enqueue,
      onUpdate: (_old, w) => enqueue(w),
      onDelete: (w) => forget(workloadKey(kind, w.metadata.namespace ?? '', w.metadata.name)),
    });
  }
  const enqueueNamespace = (namespace: string): void => {
    for (const [kind, informer] of workloads)
      for (const key of informer.indexKeys(INDEX.namespace, namespace)) controller.enqueue(`${kind}/${key}`);
  };
  const enqueueUsersOf = (backup: ImageBackup): void => {
    for (const [kind, informer] of workloads)
      for (const key of informer.indexKeys(BACKUP_NAME_INDEX, backup.metadata.name))
        controller.enqueue(`${kind}/${key}`);
  };
  namespaces.addHandlers({
    // A label (lifeboat.dev/ignore) or the phase may change what is eligible.
    onUpdate: (old, ns) => {
      const seen = (n: NamespaceObject): string => JSON.stringify([n.metadata.labels, n.status?.phase]);
      if (seen(old) !== seen(ns)) enqueueNamespace(ns.metadata.name);
    },
  });
  backups.addHandlers({
    onAdd: enqueueUsersOf,
    // Progress updates arrive every 2 s during a copy; only what the plan reads matters.
    onUpdate: (old, backup) => {
      if (planInputOf(old) !== planInputOf(backup)) enqueueUsersOf(backup);
    },
    onDelete: enqueueUsersOf,
  });
  pullSecrets?.addHandlers({ onAdd: (s) => enqueueNamespace(s.metadata.namespace ?? '') });

  /** Reports `reason` for the workload's generation unless it already was; true when it is new. */
  function firstReport(key: string, reason: string, generation: number): boolean {
    let byReason = reported.get(key);
    if (byReason === undefined) reported.set(key, (byReason = new Map<string, number>()));
    if (byReason.get(reason) === generation) return false;
    byReason.set(reason, generation);
    return true;
  }

  function recheck(key: string): ReconcileResult {
    const attempt = rechecks.get(key) ?? 0;
    rechecks.set(key, attempt + 1);
    return { requeueAfter: backoffDelay(attempt, RECHECK) };
  }

  /** One reconcile's workload, as read from the cache. */
  interface Subject {
    readonly key: string;
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
    readonly workload: WorkloadObject;
    readonly generation: number;
    record(event: EventInput): void;
  }

  async function reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const id = parseWorkloadKey(key);
    const workload = id && workloads.get(id.kind)?.get(`${id.namespace}/${id.name}`);
    const namespace = id && namespaces.get(id.namespace);
    if (!id || !workload || !namespace) return void forget(key);
    const regarding = objectReference(workload, WORKLOAD_RESOURCES[id.kind]);
    const s: Subject = {
      key,
      ...id,
      workload,
      generation: workload.metadata.generation ?? 0,
      record: (event) => o.events.record(regarding, event),
    };
    const eligibility = workloadEligibility(s.kind, workload, namespace, o.eligibility);
    if (leftAlone(s, eligibility)) return;

    const serviceAccount = serviceAccounts.get(`${s.namespace}/${serviceAccountNameOf(s.kind, workload)}`);
    const pullSecretRefs = workloadPullSecretRefs(s.kind, workload, s.namespace, serviceAccount);
    const plan = planRewrite({
      kind: s.kind,
      workload,
      eligibility,
      backups,
      options: { mapping, platforms: o.platforms, pinDigest: o.pinDigest, pullSecretName: o.pullSecretName },
    });
    if (o.dryRun) return dryRun(s, plan);

    if ((await guarded(() => ensureBackups(s, plan))) === 'race') return races.raced(key);
    if (!plan.ready) return void races.settled(key);
    const blocked = await blockedBeforeRewrite(s, plan, pullSecretRefs, signal);
    if (blocked !== undefined) return blocked;
    return rewrite(s, plan);
  }

  /**
   * True for a workload lifeboat must not touch: hands-off eligibility (excluded, terminating,
   * ignored), an invalid reference (InvalidImageReference once per generation), or a revert by
   * another writer (RewriteReverted once per generation).
   */
  function leftAlone(s: Subject, eligibility: Eligibility): boolean {
    if (eligibility.reason === 'invalid-reference') {
      if (firstReport(s.key, EventReasons.InvalidImageReference, s.generation)) {
        logger.warn(
          { workload: s.key, invalid: eligibility.invalid },
          'invalid image reference: workload skipped',
        );
        s.record(invalidImageEvent(eligibility.invalid));
      }
      return true;
    }
    if (eligibility.reason !== undefined && !PLANNED.has(eligibility.reason)) return true;
    if (!isReverted(s.kind, s.workload, mapping)) return false;
    if (firstReport(s.key, EventReasons.RewriteReverted, s.generation)) {
      logger.info({ workload: s.key }, 'original images put back by another writer: left as it is');
      metrics.rewrite(s.kind, 'reverted');
      s.record(revertedEvent());
    }
    return true;
  }

  /** Creates the missing backups and grows the refs of the others; throws a lost race to `guarded`. */
  async function ensureBackups(s: Subject, plan: RewritePlan): Promise<void> {
    for (const need of plan.backups) {
      if (need.current === undefined) {
        await backupClient.create(need.desired);
        const { name } = need.desired.metadata;
        logger.info(
          { workload: s.key, backup: name, source: need.desired.spec.source },
          'ImageBackup created',
        );
      }
    }
  }

  /**
   * What holds a ready plan back, checked in this order right before the patch: a private source
   * this namespace cannot read (BackupAccessDenied), a backup manifest missing from the backup
   * registry (the backup is copied again), the pull secret not yet in the namespace.
   */
  async function blockedBeforeRewrite(
    s: Subject,
    plan: RewritePlan,
    pullSecretRefs: readonly PullSecretRef[],
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    for (const r of plan.rewrites) {
      const backup = backups.get(r.backupName);
      if (backup?.status?.private !== true) continue;
      if (await o.probe.sourceReadable(backup.spec.source, pullSecretRefs, signal)) continue;
      if (firstReport(s.key, EventReasons.BackupAccessDenied, s.generation)) {
        metrics.rewrite(s.kind, 'access_denied');
        logger.warn(
          { workload: s.key, source: backup.spec.source },
          "private source not readable with this namespace's credentials: not rewritten",
        );
        s.record(accessDeniedEvent(r.container, backup.spec.source, pullSecretRefs));
      }
      return recheck(s.key);
    }
    for (const r of plan.rewrites) {
      const missing = await missingManifest(r, signal);
      if (missing === 'race') return races.raced(s.key);
      if (missing) return recheck(s.key);
    }
    if (pullSecrets && !pullSecrets.get(`${s.namespace}/${o.pullSecretName}`)) {
      logger.debug(
        { workload: s.key, secret: o.pullSecretName },
        'waiting for the pull secret in the namespace',
      );
      return { requeueAfter: DEFAULTS.pullSecretWaitMs };
    }
    return undefined;
  }

  /** The one guarded patch; a lost race is RewriteConflict and a plan on fresh state. */
  async function rewrite(s: Subject, plan: RewritePlan): Promise<ReconcileResult | void> {
    const client = workloadClients.get(s.kind)!;
    const patched = await guarded(() => client.jsonPatch(s.name, plan.patch, { namespace: s.namespace }));
    if (patched === 'race') {
      metrics.rewrite(s.kind, 'conflict');
      logger.info({ workload: s.key }, 'workload changed since it was read: planning again');
      s.record(conflictEvent());
      return races.raced(s.key);
    }
    forget(s.key);
    metrics.rewrite(s.kind, 'rewritten');
    logger.info(
      {
        workload: s.key,
        changes: changesOf(plan.rewrites, (r) => r.target),
        generation: patched.metadata.generation,
      },
      'images moved to the backup registry',
    );
    s.record(movedEvent(plan.rewrites));
  }

  /**
   * HEADs the backup manifest `r` will point at. Missing: the backup is set back to Pending (guarded
   * by the resourceVersion read, so a copy that just finished is not undone) and true is returned.
   */
  async function missingManifest(r: ImageRewrite, signal: AbortSignal): Promise<boolean | 'race'> {
    const { repository, digest } = r.manifest!;
    if (await o.probe.backupManifestPresent(repository, digest, signal)) return false;
    const backup = backups.get(r.backupName);
    logger.warn(
      { backup: r.backupName, repository, digest },
      'Ready backup has no manifest in the backup registry: copying it again',
    );
    if (backup === undefined) return true;
    const reset = await guarded(() =>
      backupClient.patchStatus(r.backupName, {
        metadata: { resourceVersion: backup.metadata.resourceVersion },
        status: { phase: 'Pending' },
      }),
    );
    return reset === 'race' ? 'race' : true;
  }

  /** Logs and Events instead of writes, once per workload generation. */
  function dryRun(s: Subject, plan: RewritePlan): void {
    const toCreate = plan.backups.filter((b) => b.current === undefined);
    if (toCreate.length === 0 && plan.rewrites.length === 0) return;
    if (!firstReport(s.key, DRY_RUN_REPORT, s.generation)) return;
    for (const need of toCreate) {
      const { source, target } = need.desired.spec;
      logger.info({ workload: s.key, source, target }, 'dry run: would back up');
      s.record(wouldBackUpEvent(need));
    }
    if (plan.rewrites.length === 0) return;
    metrics.rewrite(s.kind, 'dry_run');
    logger.info(
      { workload: s.key, changes: changesOf(plan.rewrites, (r) => r.preview) },
      'dry run: would rewrite',
    );
    s.record(wouldRewriteEvent(plan.rewrites));
  }

  const all = (): { hasSynced(): boolean; synced: Promise<boolean> }[] => [
    namespaces,
    backups,
    serviceAccounts,
    ...(pullSecrets ? [pullSecrets] : []),
    ...workloads.values(),
  ];
  return {
    controller,
    hasSynced: () => all().every((i) => i.hasSynced()),
    async run(signal) {
      // The caches' sync ignores the signal: race it, as the pull-secret controller does.
      const aborted = new Promise<boolean>((resolve) =>
        signal.addEventListener('abort', () => resolve(false)),
      );
      const synced = await Promise.race([
        Promise.all(all().map((i) => i.synced)).then((r) => r.every(Boolean)),
        aborted,
      ]);
      if (!synced || signal.aborted) return;
      await controller.run(signal);
    },
  };
}

/** What of an ImageBackup the plan reads: a change elsewhere (progress) enqueues nobody. */
function planInputOf(backup: ImageBackup): string {
  const s = backup.status;
  return JSON.stringify([backup.spec, s?.phase, s?.targetDigest, s?.private]);
}
