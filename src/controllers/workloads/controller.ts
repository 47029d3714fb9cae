/**
 * The workload controller (SPEC §1.4): every image a Deployment, DaemonSet, StatefulSet or CronJob
 * runs gets an ImageBackup, and once all of them are Ready the workload is moved to the copies with
 * ONE guarded JSON patch.
 *
 * The loop of kubernetes/sample-controller, read top to bottom:
 *   informers (each kind of `kinds`, Namespaces, ImageBackups, ServiceAccounts, the pull-secret
 *   copies) → handlers that enqueue `Kind/namespace/name` keys (a backup through the index of the
 *   workloads that need it, a namespace or a pull-secret copy through the namespace index) → a queue
 *   → a worker that reads a snapshot from the caches, decides (decide.ts, pure) and applies the step
 *   (apply.ts: creates, the patch, Events, metrics).
 * Promises:
 * - The decision reads caches only; the only network calls before a patch are apply's registry
 *   checks, remembered a while (registry-checks.ts), so a workload whose backups are Ready is
 *   rewritten as soon as it is seen.
 * - Nothing is written to an ImageBackup because another workload uses it: missing ones are created
 *   (once, creation-expectations.ts), and one Ready backup whose manifest is missing is set back to
 *   Pending. A workload already on its backups is never patched again: no rollout loop.
 * - Rewrites are paced (rewrite-pacing.ts, `--max-rewrites-per-minute`): a workload ready to be
 *   rewritten that finds the shared bucket empty comes back when its reserved token exists.
 * - Retries of lost races and rechecks are the queue's: `requeue: 'rateLimited'` with this
 *   controller's rate limiter (500 ms doubling to 5 min per key). The controller keeps no per-key
 *   state of its own to clean up, but the pacing's reservations, each settled by its key's next
 *   reconcile (which its requeue-after guarantees).
 * - Events and metrics come from reconciles, which run only while `run` runs (on the leader), but
 *   for `lifeboat_workloads{protection}`, which the decision computes from the caches at scrape time.
 */
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createBucketRateLimiter,
  createController,
  createExponentialRateLimiter,
  INDEX,
  indexByNamespace,
  maxOfRateLimiters,
  objectReference,
  RESOURCES,
  resourceClient,
  waitForSync,
  type Controller,
  type EventRecorder,
  type KubeObject,
  type KubeRequester,
  type ReconcileResult,
  type SharedInformer,
  type SharedInformers,
} from '../../kube/index.ts';
import { BACKUP_NAME_INDEX, BACKUP_NAME_INDEX_FUNCS } from '../api/backup-index.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../api/image-backup-resource.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { serviceAccountNameOf, workloadPullSecretRefs } from '../api/pull-secret-refs.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';
import { parseWorkloadKey, WORKLOAD_RESOURCES, workloadKey } from '../api/workload-resources.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import { createApplier } from './apply.ts';
import { createCreationExpectations } from './creation-expectations.ts';
import { decideWorkload, type DecisionOptions, type WorkloadSnapshot } from './decide.ts';
import type { EligibilityOptions, EligibilityWorkload } from './eligibility.ts';
import { workloadMetrics } from './metrics.ts';
import type { Protection } from './protection.ts';
import { createProtectionMemo } from './protection-memo.ts';
import { createRegistryChecks } from './registry-checks.ts';
import { createReportOnce } from './report-once.ts';
import { createRewritePacing } from './rewrite-pacing.ts';
import type { PrivateImages } from './private-images.ts';

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
  /** `--max-rewrites-per-minute` (rewrite-pacing.ts); 0 or absent: unlimited. */
  maxRewritesPerMinute?: number;
  /** `--private-images` (private-images.ts). */
  privateImages: PrivateImages;
  /** `--rewrite-mode`: in `pods`, backups are created and tracked but no workload is patched. */
  rewriteMode?: 'workloads' | 'pods';
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
   * Per key: a lost race is planned again after 500 ms (the winner's event is on its way), and a
   * key that keeps losing, or a recheck only time or a person fixes (a private source the namespace
   * cannot read, a manifest being copied again), doubles up to 5 min. A 422 can also be an
   * admission policy refusing the write for good: it must not be retried twice a second forever.
   */
  rateLimiter: { baseDelayMs: 500, maxDelayMs: 300_000 },
  /** Overall, as client-go's default: retries never crowd out the reconciles of new events. */
  retryBudget: { qps: 10, burst: 100 },
} as const;

export function createWorkloadController(o: WorkloadControllerOptions): WorkloadController {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'workloads' });

  // Informers: the caches the decision reads.
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

  const controller = createController({
    name: 'workloads',
    workers: o.workers ?? DEFAULTS.workers,
    reconcile: (key, signal) => reconcile(key, signal),
    rateLimiter: maxOfRateLimiters(
      createExponentialRateLimiter<string>(DEFAULTS.rateLimiter),
      createBucketRateLimiter<string>(DEFAULTS.retryBudget),
    ),
    logger,
    ...(o.registry ? { registry: o.registry } : {}),
  });
  const creating = createCreationExpectations();
  const pacing = createRewritePacing({ perMinute: o.maxRewritesPerMinute ?? 0 });

  // Handlers: what enqueues which workloads.
  for (const [kind, informer] of workloads) {
    const enqueue = (w: WorkloadObject): void =>
      controller.enqueue(workloadKey(kind, w.metadata.namespace ?? '', w.metadata.name));
    informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, w) => enqueue(w) });
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
    onAdd: (backup) => {
      creating.observed(backup.metadata.name);
      enqueueUsersOf(backup);
    },
    // Progress updates arrive every 2 s during a copy; only what the decision reads matters.
    onUpdate: (old, backup) => {
      if (decisionInputOf(old) !== decisionInputOf(backup)) enqueueUsersOf(backup);
    },
    onDelete: enqueueUsersOf,
  });
  pullSecrets?.addHandlers({ onAdd: (s) => enqueueNamespace(s.metadata.namespace ?? '') });

  // The worker: snapshot → decide → apply.
  const decisionOptions: DecisionOptions = {
    eligibility: o.eligibility,
    platforms: o.platforms,
    pinDigest: o.pinDigest,
    pullSecretName: o.pullSecretName,
    dryRun: o.dryRun,
    privateImages: o.privateImages,
    rewriteMode: o.rewriteMode,
  };
  const backupClient = imageBackupClient(o.api);
  const workloadClients = new Map(
    [...workloads.keys()].map((kind) => [kind, resourceClient<KubeObject>(o.api, WORKLOAD_RESOURCES[kind])]),
  );
  const apply = createApplier({
    backups: backupClient,
    workloads: (kind) => workloadClients.get(kind)!,
    backupCache: backups,
    checks: createRegistryChecks(o.probe),
    creating,
    reported: createReportOnce(),
    events: o.events,
    metrics: workloadMetrics(o.registry, protections, () => pacing.due()),
    logger,
    pullSecretName: o.pullSecretName,
  });

  /** What the decision reads about one workload, from the caches. */
  const snapshotOf = (
    kind: WorkloadKind,
    workload: WorkloadObject,
    namespace: NamespaceObject,
  ): WorkloadSnapshot => ({
    kind,
    workload,
    namespace,
    backups,
    creating,
    pullSecretPresent:
      pullSecrets === undefined ||
      pullSecrets.get(`${namespace.metadata.name}/${o.pullSecretName}`) !== undefined,
  });

  async function reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const id = parseWorkloadKey(key);
    const workload = id && workloads.get(id.kind)?.get(`${id.namespace}/${id.name}`);
    const namespace = id && namespaces.get(id.namespace);
    // Gone (or its namespace is): nothing to do, and nothing kept about it.
    if (!id || !workload || !namespace) return pacing.release(key);
    const decision = decideWorkload(snapshotOf(id.kind, workload, namespace), decisionOptions);
    if (decision.step !== 'rewrite') pacing.release(key);
    else {
      const waitMs = pacing.admit(key);
      if (waitMs > 0) {
        logger.debug({ workload: key, waitMs }, 'rewrite due: waiting for --max-rewrites-per-minute');
        return { requeueAfter: waitMs };
      }
    }
    return apply(
      decision,
      {
        key,
        ...id,
        uid: workload.metadata.uid ?? key,
        generation: workload.metadata.generation ?? 0,
        regarding: objectReference(workload, WORKLOAD_RESOURCES[id.kind]),
        pullSecretRefs: () => {
          const account = serviceAccounts.get(`${id.namespace}/${serviceAccountNameOf(id.kind, workload)}`);
          return workloadPullSecretRefs(id.kind, workload, id.namespace, account);
        },
      },
      signal,
    );
  }

  /**
   * `lifeboat_workloads{protection}` at scrape time: the same decision over every cached workload
   * (caches only, no registry traffic; a verdict kept while its inputs are unchanged), on every
   * replica, leader or not.
   */
  const protectionOf = createProtectionMemo(decisionOptions);
  function* protections(): Iterable<Protection> {
    for (const [kind, informer] of workloads) {
      for (const workload of informer.list()) {
        const namespace = namespaces.get(workload.metadata.namespace ?? '');
        if (namespace === undefined) continue; // not listed yet, or being deleted with it
        yield protectionOf(snapshotOf(kind, workload, namespace));
      }
    }
  }

  const all = [
    namespaces,
    backups,
    serviceAccounts,
    ...(pullSecrets ? [pullSecrets] : []),
    ...workloads.values(),
  ];
  return {
    controller,
    hasSynced: () => all.every((i) => i.hasSynced()),
    async run(signal) {
      if (!(await waitForSync(signal, ...all))) return;
      await controller.run(signal);
    },
  };
}

/** What of an ImageBackup the decision reads: a change elsewhere (progress) enqueues nobody. */
function decisionInputOf(backup: ImageBackup): string {
  const s = backup.status;
  return JSON.stringify([backup.spec, s?.phase, s?.targetDigest, s?.private, s?.readers]);
}
