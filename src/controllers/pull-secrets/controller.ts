/**
 * Pull-secret distribution (SPEC §1.5): every namespace that is not excluded holds a copy of the
 * backup registry's read-only pull secret, and its chosen service accounts reference it.
 *
 * The loop, as sample-controller's: informers on Namespaces, on Secrets named like the copy (every
 * namespace), on the source Secret and on ServiceAccounts enqueue the NAMESPACE of whatever
 * changed; a worker reconciles one namespace: read from the caches → plan (plan.ts, pure) → apply.
 * - A new namespace, a new service account, a copy deleted or edited, a reference removed: the
 *   namespace's key is enqueued by the event and brought back within one reconcile.
 * - The source rotated: every namespace is enqueued; each copy's data is patched (never deleted
 *   and re-created, which would leave a window without the Secret).
 * - A Secret of that name lifeboat does not own: Event `PullSecretConflict` on it, state
 *   `conflict`, nothing written there (not even the service accounts), no retry until it changes.
 * - An excluded namespace: what lifeboat added there (its copy, its service-account entries) is
 *   removed, nothing else.
 * - A source Secret that is missing or unusable: one log line and one Event naming it, nothing
 *   anywhere is changed or removed, and everything proceeds when it is fixed.
 * Writes race other writers safely: JSON patches are guarded by the resourceVersion they were
 * planned from; a lost race (409/422) requeues the namespace on fresh state.
 */
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createController,
  INDEX,
  indexByNamespace,
  RESOURCES,
  resourceClient,
  type Controller,
  type EventRecorder,
  type KubeRequester,
  type ReconcileResult,
  type SharedInformers,
} from '../../kube/index.ts';
import type { NamespaceState, SyncResult } from './metrics.ts';
import { pullSecretMetrics } from './metrics.ts';
import { namespaceDisposition } from '../api/namespace-disposition.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { planCopy, planServiceAccountAdd, selectsServiceAccount } from './plan.ts';
import { removeFromNamespace } from './remove.ts';
import { SourceSecretError, validateSourceSecret } from './source-secret.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { guarded, raceRetry } from '../api/guarded-write.ts';

export interface PullSecretDistributionOptions {
  api: KubeRequester;
  /** The process's shared informers: every controller watching a resource shares one cache. */
  informers: Pick<SharedInformers, 'informerFor'>;
  /** `--backup-pull-secret`. */
  source: { readonly namespace: string; readonly name: string };
  /** `--pull-secret-name`. */
  secretName: string;
  /** `--pull-secret-service-accounts` (`*`: all). */
  serviceAccounts: readonly string[];
  /** Every excluded namespace by name (defaults, flags, lifeboat's own); labels are read per object. */
  excludedNamespaces: ReadonlySet<string>;
  /** Where Events go (the process's rate-limited recorder; a fake in unit tests). */
  events: Pick<EventRecorder, 'record'>;
  logger?: Logger;
  registry?: Registry;
  workers?: number;
}

export interface PullSecretDistribution {
  readonly controller: Controller;
  /** True once every informer has listed. */
  hasSynced(): boolean;
  /** Waits for the caches, checks the source once, then reconciles until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export function createPullSecretDistribution(o: PullSecretDistributionOptions): PullSecretDistribution {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'pull-secrets' });
  const sourceKey = `${o.source.namespace}/${o.source.name}`;
  const excluded = new Set(o.excludedNamespaces);
  // The one copy that would be the source itself is never written (the rest of its namespace is).
  const isSourceItself = (namespace: string): boolean =>
    namespace === o.source.namespace && o.secretName === o.source.name;
  const namespaces = o.informers.informerFor<NamespaceObject>(RESOURCES.namespaces);
  const copies = o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
    fieldSelector: `metadata.name=${o.secretName}`,
  });
  const sources = o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
    namespace: o.source.namespace,
    fieldSelector: `metadata.name=${o.source.name}`,
  });
  const serviceAccountNames = o.serviceAccounts.includes('*') ? [] : o.serviceAccounts;
  const serviceAccounts = o.informers.informerFor<ServiceAccountObject>(
    RESOURCES.serviceAccounts,
    serviceAccountNames.length === 1 ? { fieldSelector: `metadata.name=${serviceAccountNames[0]}` } : {},
  );
  serviceAccounts.addIndex(INDEX.namespace, indexByNamespace);
  const secrets = resourceClient<SecretObject>(o.api, RESOURCES.secrets);
  const accounts = resourceClient<ServiceAccountObject>(o.api, RESOURCES.serviceAccounts);
  const states = new Map<string, NamespaceState>();
  const metrics = pullSecretMetrics(o.registry, states);
  let reportedSourceProblem: string | undefined;

  const controller = createController({
    name: 'pull-secrets',
    workers: o.workers ?? 2,
    // The shutdown signal is not passed to the writes: each is one short request (bounded by the
    // API client's timeout), and aborting it mid-flight gains nothing — it also trips undici into
    // an unhandled error on the aborted HTTP/2 stream when the agent closes right after.
    reconcile: (namespace) => reconcile(namespace),
    logger,
    ...(o.registry ? { registry: o.registry } : {}),
  });

  // Every event names the namespace to reconcile; the source names all of them.
  const byNamespace = (obj: { metadata: { namespace?: string } }): void => {
    if (obj.metadata.namespace) controller.enqueue(obj.metadata.namespace);
  };
  namespaces.addHandlers({
    onAdd: (ns) => controller.enqueue(ns.metadata.name),
    onUpdate: (_old, ns) => controller.enqueue(ns.metadata.name),
    onDelete: (ns) => states.delete(ns.metadata.name),
  });
  for (const informer of [copies, serviceAccounts]) {
    informer.addHandlers({
      onAdd: byNamespace,
      onUpdate: (_old, obj) => byNamespace(obj),
      onDelete: byNamespace,
    });
  }
  sources.addHandlers({ onAdd: sourceChanged, onUpdate: sourceChanged, onDelete: sourceChanged });

  /** Only the leader reports: followers keep their caches warm and stay silent. */
  let leading = false;
  const races = raceRetry({ code: 'PULL_SECRET_WRITE_RACE', what: 'namespace', logger });

  function sourceChanged(): void {
    if (!leading) return;
    const content = validateSourceSecret(sources.get(sourceKey), o.source);
    if (content instanceof SourceSecretError) {
      if (reportedSourceProblem !== content.message) {
        reportedSourceProblem = content.message;
        logger.error({ secret: sourceKey, problem: content.problem }, content.message);
        o.events.record(
          {
            apiVersion: 'v1',
            kind: 'Secret',
            namespace: o.source.namespace,
            name: o.source.name,
            ...(sources.get(sourceKey)?.metadata.uid ? { uid: sources.get(sourceKey)?.metadata.uid } : {}),
          },
          {
            type: 'Warning',
            reason: EventReasons.PullSecretSourceInvalid,
            action: 'Validate',
            note: content.message,
          },
        );
      }
      return;
    }
    if (reportedSourceProblem !== undefined)
      logger.info({ secret: sourceKey }, 'source pull secret is usable again');
    reportedSourceProblem = undefined;
    for (const ns of namespaces.list()) controller.enqueue(ns.metadata.name);
  }

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = namespaces.get(name);
    if (!ns) return void states.delete(name);
    if (isSourceItself(name)) return;
    const disposition = namespaceDisposition(ns, excluded);
    if (disposition === 'terminating') return void states.delete(name);
    const copy = copies.get(`${name}/${o.secretName}`);
    const inNamespace = serviceAccounts.byIndex(INDEX.namespace, name);

    if (disposition === 'excluded') {
      const removed = await guarded(() =>
        removeFromNamespace({
          secrets,
          accounts,
          secretName: o.secretName,
          copy,
          serviceAccounts: inNamespace,
        }),
      );
      if (removed === 'race') return races.raced(name);
      races.settled(name);
      states.set(name, 'excluded');
      if (removed) metrics.sync('removed');
      return;
    }

    const content = validateSourceSecret(sources.get(sourceKey), o.source);
    if (content instanceof SourceSecretError) return void metrics.sync('source_invalid');

    const plan = planCopy(content, copy, { namespace: name, name: o.secretName, source: sourceKey });
    if (plan.action === 'conflict') {
      states.set(name, 'conflict');
      metrics.sync('conflict');
      o.events.record(regardingOf(copy!, 'Secret'), {
        type: 'Warning',
        reason: EventReasons.PullSecretConflict,
        action: 'Distribute',
        note: `Secret ${name}/${o.secretName} is not managed by lifeboat (no app.kubernetes.io/managed-by=lifeboat label): lifeboat leaves it and this namespace's service accounts alone`,
      });
      return;
    }
    let result: SyncResult = 'unchanged';
    const write = await guarded(async () => {
      if (plan.action === 'create') {
        await secrets.create(plan.secret, { namespace: name });
        result = 'created';
      } else if (plan.action === 'update') {
        await secrets.jsonPatch(o.secretName, plan.ops, { namespace: name });
        result = 'updated';
      } else if (plan.action === 'replace-type') {
        await secrets.delete(o.secretName, { namespace: name, preconditions: { uid: plan.uid } });
        await secrets.create(plan.secret, { namespace: name });
        result = 'updated';
      }
      for (const sa of inNamespace) {
        if (!selectsServiceAccount(o.serviceAccounts, sa)) continue;
        const ops = planServiceAccountAdd(sa, o.secretName);
        if (!ops) continue;
        await accounts.jsonPatch(sa.metadata.name, ops, { namespace: name });
        if (result === 'unchanged') result = 'updated';
      }
    });
    if (write === 'race') return races.raced(name);
    races.settled(name);
    states.set(name, 'synced');
    metrics.sync(result);
    if (result !== 'unchanged') logger.info({ namespace: name, result }, 'pull secret distributed');
  }

  return {
    controller,
    hasSynced: () => [namespaces, copies, sources, serviceAccounts].every((i) => i.hasSynced()),
    async run(signal) {
      // The caches' sync ignores the signal: race it, or a SIGTERM during a slow first list would wait
      // for the informers that are only stopped after this returns.
      const aborted = new Promise<boolean>((resolve) =>
        signal.addEventListener('abort', () => resolve(false)),
      );
      const synced = await Promise.race([
        Promise.all([namespaces, copies, sources, serviceAccounts].map((i) => i.synced)).then((all) =>
          all.every(Boolean),
        ),
        aborted,
      ]);
      if (!synced || signal.aborted) return;
      leading = true;
      signal.addEventListener('abort', () => (leading = false));
      // A source that does not exist sends no event: check it once the caches are complete.
      sourceChanged();
      await controller.run(signal);
    },
  };
}

function regardingOf(
  obj: { apiVersion?: string; metadata: { name: string; namespace?: string; uid?: string } },
  kind: string,
) {
  return {
    apiVersion: obj.apiVersion ?? 'v1',
    kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
  };
}
