/**
 * One informer per watched collection, shared by every controller of the process (client-go's
 * SharedInformerFactory): two controllers that watch Deployments cost one LIST and one WATCH and
 * one cache, not two.
 *
 * Promises:
 * - `informerFor` returns the same informer for the same (resource, version, namespace, label
 *   selector, field selector). Its transform is part of that identity: asking again with another
 *   transform function is a TypeError (define transforms once, at module level), since a second
 *   caller would otherwise get objects shaped for the first.
 * - Informers requested before `start()` start with it; those requested after start at once.
 * - Every index is updated before any handler runs, so a handler may read `byIndex`.
 * - `addHandlers` on a shared informer replays `onAdd` for every object already cached (client-go
 *   does the same): a controller registering late still sees every object.
 * - `waitForCacheSync` waits for every informer requested so far: `true` once all have listed,
 *   `false` if the factory stops or `signal` aborts first. It never rejects.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { KubeRequester } from './api-client.ts';
import { createIndexer } from './indexer.ts';
import type { Indexer } from './indexer.ts';
import { createInformer } from './informer.ts';
import type { Informer, InformerHandlers, InformerOptions, InformerStats } from './informer.ts';
import type { Resource } from './resource.ts';
import type { KubeObject, Store } from './store.ts';
import { waitForSync } from './wait-for-sync.ts';

/** What every informer of the factory is created with (the rest identifies each informer). */
export type SharedInformerSettings = Partial<
  Pick<
    InformerOptions<KubeObject>,
    | 'pageSize'
    | 'resyncPeriodMs'
    | 'watchTimeoutSeconds'
    | 'inactivityTimeoutMs'
    | 'minWatchDurationMs'
    | 'backoff'
    | 'freeze'
    | 'now'
  >
>;

export interface SharedInformersOptions extends SharedInformerSettings {
  api: KubeRequester;
  logger?: Logger;
  registry?: Registry;
}

export interface InformerRequest<T extends KubeObject> {
  /** Only this namespace (namespaced resources); all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Default `dropNoise`. Must be the same function for every caller of one informer. */
  transform?: (obj: KubeObject) => T;
}

/** A shared informer as its users see it: the factory alone starts and stops it. */
export interface SharedInformer<T extends KubeObject> extends Store<T>, Omit<Indexer<T>, 'handlers'> {
  readonly resource: Resource;
  /** `plural.version[.group]` plus namespace and selectors: its name in logs and metrics. */
  readonly name: string;
  readonly synced: Promise<boolean>;
  hasSynced(): boolean;
  /** Adds handlers and replays `onAdd` for every cached object; returns the remover. */
  addHandlers(handlers: InformerHandlers<T>): () => void;
  readonly lastEventAt: number | undefined;
  stats(): InformerStats;
}

export interface SharedInformers {
  /** The one informer of this collection; TypeError for a namespace on a cluster-scoped resource. */
  informerFor<T extends KubeObject = KubeObject>(
    resource: Resource,
    request?: InformerRequest<T>,
  ): SharedInformer<T>;
  /** Starts every informer requested so far; later ones start when requested. */
  start(): void;
  /** Stops every informer; resolves when none is running. The factory cannot be used again. */
  stop(): Promise<void>;
  waitForCacheSync(signal?: AbortSignal): Promise<boolean>;
  /** True when every informer requested so far has listed (true when there is none). */
  hasSynced(): boolean;
}

interface Entry {
  informer: Informer<KubeObject>;
  shared: SharedInformer<KubeObject>;
  transform: InformerRequest<KubeObject>['transform'];
}

export function createSharedInformers(options: SharedInformersOptions): SharedInformers {
  const { api, logger: parentLogger, registry, ...settings } = options;
  const logger = parentLogger ?? pino({ level: 'silent' });
  const entries = new Map<string, Entry>();
  let started = false;
  let stopped = false;

  function create(resource: Resource, request: InformerRequest<KubeObject>, name: string): Entry {
    const informer = createInformer<KubeObject>({
      ...settings,
      api,
      resource,
      ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
      name,
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
      transform: request.transform,
      logger,
      registry,
    });
    const indexer = createIndexer(informer);
    // First handler of the informer: indexes are current before any other handler runs.
    informer.addHandlers(indexer.handlers);
    const shared: SharedInformer<KubeObject> = {
      resource,
      name,
      get: (key) => informer.get(key),
      list: () => informer.list(),
      keys: () => informer.keys(),
      get size() {
        return informer.size;
      },
      addIndex: (indexName, fn) => indexer.addIndex(indexName, fn),
      byIndex: (indexName, value) => indexer.byIndex(indexName, value),
      indexKeys: (indexName, value) => indexer.indexKeys(indexName, value),
      indexValues: (indexName) => indexer.indexValues(indexName),
      synced: informer.synced,
      hasSynced: () => informer.hasSynced(),
      addHandlers(handlers) {
        const remove = informer.addHandlers(handlers);
        // Synchronous with the registration, so no event falls between the replay and the handler.
        for (const obj of informer.list()) {
          try {
            handlers.onAdd?.(obj);
          } catch (err) {
            logger.error(
              { err, informer: name },
              'informer handler threw on replay; the informer carries on',
            );
          }
        }
        return remove;
      },
      get lastEventAt() {
        return informer.lastEventAt;
      },
      stats: () => informer.stats(),
    };
    return { informer, shared, transform: request.transform };
  }

  return {
    informerFor<T extends KubeObject = KubeObject>(
      resource: Resource,
      request: InformerRequest<T> = {},
    ): SharedInformer<T> {
      if (stopped) throw new Error('shared informers were stopped; create a new factory');
      const name = informerName(resource, request);
      let entry = entries.get(name);
      if (entry === undefined) {
        entry = create(resource, request, name);
        entries.set(name, entry);
        if (started) entry.informer.start();
      } else if (entry.transform !== request.transform) {
        throw new TypeError(`informer ${name} is already shared with another transform`);
      }
      // One cache serves every T its callers declare: the transform decides the shape, not T.
      return entry.shared as unknown as SharedInformer<T>;
    },
    start() {
      if (started || stopped) return;
      started = true;
      for (const e of entries.values()) e.informer.start();
    },
    async stop() {
      stopped = true;
      await Promise.all([...entries.values()].map((e) => e.informer.stop()));
    },
    async waitForCacheSync(signal) {
      const informers = [...entries.values()].map((e) => e.informer);
      if (signal !== undefined) return waitForSync(signal, ...informers);
      return Promise.all(informers.map((i) => i.synced)).then((r) => r.every(Boolean));
    },
    hasSynced: () => [...entries.values()].every((e) => e.informer.hasSynced()),
  };
}

/**
 * `deployments.v1.apps`, `configmaps.v1 namespace=ns labels=a=b`: unique per shared informer, as
 * its name in logs and in the `informer` label of the informer metrics.
 */
export function informerName(
  resource: Resource,
  request: Omit<InformerRequest<KubeObject>, 'transform'>,
): string {
  const parts = [[resource.plural, resource.version, resource.group].filter((p) => p !== '').join('.')];
  if (request.namespace) parts.push(`namespace=${request.namespace}`);
  if (request.labelSelector) parts.push(`labels=${request.labelSelector}`);
  if (request.fieldSelector) parts.push(`fields=${request.fieldSelector}`);
  return parts.join(' ');
}
