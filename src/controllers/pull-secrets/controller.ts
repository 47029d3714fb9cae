/**
 * Pull-secret distribution (SPEC §1.5): every namespace that is not excluded holds a copy of the
 * backup registry's read-only pull secret, and its chosen service accounts reference it.
 *
 * The loop, as sample-controller's: informers on Namespaces, on Secrets named like the copy (every
 * namespace), on the source Secret and on ServiceAccounts enqueue the NAMESPACE of whatever
 * changed; a worker reconciles one namespace: read from the caches → decide (decide.ts, pure) →
 * apply (apply.ts). Nothing is read from the API: the caches serve every read.
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
 * - `--private-images=isolated`: the key Secret `lifeboat-pull-key` (lifeboat's namespace) takes the
 *   source's place: each copy holds its own namespace's credential derived under the key
 *   (api/namespace-credential.ts), lifeboat creates the key when absent, and a changed key rewrites
 *   every copy the way a rotated source does.
 * Writes race other writers safely: each is guarded by the resourceVersion it was decided from; a
 * lost race (409/422/404) requeues the namespace with the rate limiter's backoff, on fresh state.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createBucketRateLimiter,
  createController,
  createExponentialRateLimiter,
  INDEX,
  indexByNamespace,
  maxOfRateLimiters,
  RESOURCES,
  resourceClient,
  waitForSync,
  type Controller,
  type EventRecorder,
  type KubeRequester,
  type ReconcileResult,
  type SharedInformers,
} from '../../kube/index.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { namespacePullSecretContent, PULL_KEY_SECRET_NAME, pullKeyOf } from '../api/namespace-credential.ts';
import { applyNamespaceStep, ensurePullKey, reportSourceProblem } from './apply.ts';
import {
  decideNamespace,
  namespaceStateOf,
  type DistributionRules,
  type NamespaceSnapshot,
} from './decide.ts';
import { pullSecretMetrics, type NamespaceState } from './metrics.ts';
import { SourceSecretError, validateSourceSecret, type PullSecretContent } from './source-secret.ts';

export interface PullSecretDistributionOptions extends Omit<DistributionRules, 'source'> {
  /** `--backup-pull-secret`: the Secret copied to every namespace (shared mode; unused when isolated). */
  readonly source?: DistributionRules['source'] | undefined;
  /**
   * `--private-images=isolated`: each copy holds its namespace's own credential for the backup
   * registry (api/namespace-credential.ts), derived under the key Secret `lifeboat-pull-key` in
   * lifeboat's namespace, which lifeboat creates when absent. Rotating the key rewrites every copy.
   */
  readonly isolated?: { readonly namespace: string; readonly registryHost: string } | undefined;
  api: KubeRequester;
  /** The process's shared informers: every controller watching a resource shares one cache. */
  informers: Pick<SharedInformers, 'informerFor'>;
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

/**
 * The backoff of a namespace whose write lost a race (or failed): the winner's event is usually
 * in the cache within half a second, so the first retry waits that long rather than client-go's
 * 5 ms (which would only lose again on the same stale cache); a write that keeps being refused (an
 * admission policy's 422 looks like a lost race) slows down to one try every 5 minutes. Every
 * change to the namespace's objects enqueues it at once anyway.
 */
const RETRY = { baseDelayMs: 500, maxDelayMs: 5 * 60_000 } as const;
/** Requeue: the rate limiter's next delay for the namespace, its backoff kept until a success. */
const RATE_LIMITED: ReconcileResult = { requeue: 'rateLimited' };

export function createPullSecretDistribution(o: PullSecretDistributionOptions): PullSecretDistribution {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'pull-secrets' });
  // Isolated: the key Secret takes the source's place (watched, validated, named in the copies).
  const source = o.isolated ? { namespace: o.isolated.namespace, name: PULL_KEY_SECRET_NAME } : o.source;
  if (!source) throw new Error('pull-secret distribution needs a source Secret or the isolated mode');
  const isolated = o.isolated;
  const rules: DistributionRules = {
    source,
    secretName: o.secretName,
    serviceAccounts: o.serviceAccounts,
    excludedNamespaces: new Set(o.excludedNamespaces),
    namespaceSelector: o.namespaceSelector,
  };
  const sourceKey = `${source.namespace}/${source.name}`;
  const namespaces = o.informers.informerFor<NamespaceObject>(RESOURCES.namespaces);
  const copies = o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
    fieldSelector: `metadata.name=${o.secretName}`,
  });
  const sources = o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
    namespace: source.namespace,
    fieldSelector: `metadata.name=${source.name}`,
  });
  const serviceAccountNames = o.serviceAccounts.includes('*') ? [] : o.serviceAccounts;
  const serviceAccounts = o.informers.informerFor<ServiceAccountObject>(
    RESOURCES.serviceAccounts,
    serviceAccountNames.length === 1 ? { fieldSelector: `metadata.name=${serviceAccountNames[0]}` } : {},
  );
  serviceAccounts.addIndex(INDEX.namespace, indexByNamespace);
  const informers = [namespaces, copies, sources, serviceAccounts];

  /** The source as cached: the Secret to copy, or (isolated) the key the copies are derived under. */
  const validSource = (): PullSecretContent | SourceSecretError | Buffer => {
    if (!isolated) return validateSourceSecret(sources.get(sourceKey), source);
    const key = pullKeyOf(sources.get(sourceKey));
    return Buffer.isBuffer(key) ? key : new SourceSecretError(sourceKey, 'invalid', key.problem);
  };
  /** What namespace `name`'s copy must hold. */
  const contentFor = (
    name: string,
    from: ReturnType<typeof validSource>,
  ): PullSecretContent | SourceSecretError =>
    Buffer.isBuffer(from) ? namespacePullSecretContent(from, name, isolated!.registryHost) : from;
  /** Namespace `name` as the caches show it. */
  const snapshot = (name: string, from = validSource()): NamespaceSnapshot => ({
    name,
    namespace: namespaces.get(name),
    copy: copies.get(`${name}/${o.secretName}`),
    serviceAccounts: serviceAccounts.byIndex(INDEX.namespace, name),
    source: contentFor(name, from),
  });
  // The namespace gauge is decided from the caches at scrape time: it cannot drift from them.
  const states = {
    *values(): Iterable<NamespaceState> {
      const from = validSource();
      for (const ns of namespaces.list()) {
        const state = namespaceStateOf(decideNamespace(snapshot(ns.metadata.name, from), rules));
        if (state) yield state;
      }
    },
  };
  const metrics = pullSecretMetrics(o.registry, states);
  const effects = {
    secrets: resourceClient<SecretObject>(o.api, RESOURCES.secrets),
    accounts: resourceClient<ServiceAccountObject>(o.api, RESOURCES.serviceAccounts),
    secretName: o.secretName,
    events: o.events,
    metrics,
    logger,
  };

  const controller = createController({
    name: 'pull-secrets',
    workers: o.workers ?? 2,
    // The shutdown signal is not passed to the writes: each is one short request (bounded by the
    // API client's timeout), and aborting it mid-flight gains nothing — it also trips undici into
    // an unhandled error on the aborted HTTP/2 stream when the agent closes right after.
    reconcile: async (namespace) =>
      (await applyNamespaceStep(namespace, decideNamespace(snapshot(namespace), rules), effects)) === 'race'
        ? RATE_LIMITED
        : undefined,
    rateLimiter: maxOfRateLimiters(
      createExponentialRateLimiter<string>(RETRY),
      createBucketRateLimiter<string>(),
    ),
    logger,
    ...(o.registry ? { registry: o.registry } : {}),
  });

  // Declared before the handlers: adding one replays the objects already cached, synchronously.
  /** Only the leader reports: followers keep their caches warm and stay silent. */
  let leading = false;
  /** The source's problem last reported (one log line and Event per distinct problem, not per event). */
  let reportedSourceProblem: string | undefined;

  // Every event names the namespace to reconcile; the source names all of them.
  const byNamespace = (obj: { metadata: { namespace?: string } }): void => {
    if (obj.metadata.namespace) controller.enqueue(obj.metadata.namespace);
  };
  namespaces.addHandlers({
    onAdd: (ns) => controller.enqueue(ns.metadata.name),
    onUpdate: (_old, ns) => controller.enqueue(ns.metadata.name),
  });
  for (const informer of [copies, serviceAccounts]) {
    informer.addHandlers({
      onAdd: byNamespace,
      onUpdate: (_old, obj) => byNamespace(obj),
      onDelete: byNamespace,
    });
  }
  sources.addHandlers({ onAdd: sourceChanged, onUpdate: sourceChanged, onDelete: sourceChanged });

  function sourceChanged(): void {
    if (!leading) return;
    const content = validSource();
    if (content instanceof SourceSecretError) {
      if (reportedSourceProblem === content.message) return;
      reportedSourceProblem = content.message;
      return reportSourceProblem(content, sources.get(sourceKey), rules.source, effects);
    }
    if (reportedSourceProblem !== undefined)
      logger.info({ secret: sourceKey }, 'source pull secret is usable again');
    reportedSourceProblem = undefined;
    for (const ns of namespaces.list()) controller.enqueue(ns.metadata.name);
  }

  return {
    controller,
    hasSynced: () => informers.every((i) => i.hasSynced()),
    async run(signal) {
      if (!(await waitForSync(signal, ...informers))) return;
      leading = true;
      signal.addEventListener('abort', () => (leading = false), { once: true });
      // Isolated: the key is lifeboat's to create (never to replace: the operator rotates it).
      if (isolated && !sources.get(sourceKey)) await ensurePullKey(rules.source, effects);
      // A source that does not exist sends no event: check it once the caches are complete.
      sourceChanged();
      await controller.run(signal);
    },
  };
}
