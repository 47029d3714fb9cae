/**
 * Informer: a cache of one collection kept current by list + watch, with event handlers.
 *
 * Guarantees:
 * - The first full (paginated) list fills the cache; then `synced` resolves `true` and
 *   `hasSynced()` turns true. If `stop()` comes first, `synced` resolves `false`. It never rejects.
 * - The watch asks for bookmarks and a jittered server `timeoutSeconds`, and resumes from the last
 *   resourceVersion seen (events and bookmarks advance it).
 * - 410 Gone (HTTP or an ERROR event) relists; objects missing from the new list get a synthetic
 *   delete, changed ones an update.
 * - After ANY failure (HTTP errors such as 401/403/5xx, resets, unparsable lines, no bytes within
 *   `inactivityTimeoutMs`, a watch the server closes at once) it restarts after a jittered
 *   exponential backoff: it is never silently dead and never floods the API server. A clean server
 *   close of a watch that ran normally re-watches at once.
 * - Handlers run synchronously in event order; one that throws is logged and the others still run.
 *   Keep them cheap (enqueue a key).
 * - Cached objects (from `get`/`list` and passed to handlers) are shared: NEVER mutate them.
 *   `freeze: true` deep-freezes them to catch mistakes in tests.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { KubeApiError, KubeTransportError, WatchError, isGone } from './api-client-errors.ts';
import type { KubeStatus } from './api-client-errors.ts';
import type { KubeRequester } from './api-client.ts';
import { createBackoff } from '../common/backoff.ts';
import type { BackoffOptions } from '../common/backoff.ts';
import { sleep } from '../common/sleep.ts';
import { informerMetrics } from './informer-metrics.ts';
import { listKubeObjects } from './list-pager.ts';
import { resourcePath } from './resource.ts';
import type { Resource } from './resource.ts';
import { createStore, objectKey } from './store.ts';
import type { KubeObject, Store } from './store.ts';
import { watchEvents } from './watch-stream.ts';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  /** Raw request surface of the API client (`createKubeApi`). */
  api: KubeRequester;
  /** The collection to cache, e.g. `RESOURCES.deployments`. */
  resource: Resource;
  /** Only this namespace's objects; omitted: every namespace (or a cluster-scoped resource). */
  namespace?: string;
  /** For logs and metrics; defaults to the collection's path. */
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per LIST page. */
  pageSize?: number;
  /**
   * Applied to every object before it is cached; it receives a freshly parsed object it may modify.
   * Default `dropNoise`: removes `metadata.managedFields` and kubectl's last-applied annotation.
   */
  transform?: (obj: KubeObject) => T;
  /** When > 0, every cached object is re-delivered to `onUpdate(obj, obj)` this often. */
  resyncPeriodMs?: number;
  /** Server-side watch timeout; each watch asks for a random value in [this, 2 × this). */
  watchTimeoutSeconds?: number;
  /** No bytes (not even a bookmark) for this long means a dead connection: restart the watch. */
  inactivityTimeoutMs?: number;
  /** A watch that ends cleanly sooner than this with no events counts as a failure (backoff). */
  minWatchDurationMs?: number;
  backoff?: Partial<BackoffOptions>;
  handlers?: InformerHandlers<T>;
  /** Deep-freeze cached objects (tests). */
  freeze?: boolean;
  logger?: Logger;
  registry?: Registry;
  now?: () => number;
}

export interface Informer<T extends KubeObject> extends Store<T> {
  /** Starts the list/watch loop. Calling it twice does nothing. */
  start(): void;
  /** Stops the loop and closes the watch; resolves when nothing is left running. */
  stop(): Promise<void>;
  /** Resolves `true` after the first full list, `false` if stopped before. Never rejects. */
  readonly synced: Promise<boolean>;
  hasSynced(): boolean;
  /** Adds handlers (objects already cached are not replayed); returns the remover. */
  addHandlers(handlers: InformerHandlers<T>): () => void;
  /** When the last watch event (bookmarks included) or list arrived, per `now()`; undefined before any. */
  readonly lastEventAt: number | undefined;
  /** The resourceVersion the next watch resumes from. */
  readonly resourceVersion: string | undefined;
  /** Counters for logs, metrics and tests. */
  stats(): InformerStats;
}

export interface InformerStats {
  lists: number;
  watches: number;
  failures: number;
  lastError: string | undefined;
}

export const INFORMER_DEFAULTS = Object.freeze({
  // 500 is client-go's pager default: big enough to list 10k objects in 20 calls, small enough
  // that one page never pressures the API server's memory.
  pageSize: 500,
  resyncPeriodMs: 0,
  // client-go reflector: minWatchTimeout 5 min, randomised up to 10 min to spread reconnections.
  watchTimeoutSeconds: 300,
  // The API server sends a bookmark about every minute to watches that allow them: 2.5 missed
  // bookmarks means the connection is dead even if TCP has not noticed.
  inactivityTimeoutMs: 150_000,
  minWatchDurationMs: 1_000,
});

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Default transform: drops the two largest fields no controller reads. Mutates and returns `obj`.
 * An annotations map left empty is kept: whether the map exists decides how a JSON patch planned
 * from the cache adds an annotation (`add /metadata/annotations/key` vs `add /metadata/annotations
 * {…}`), and the second form would replace the server's map, last-applied included.
 */
export function dropNoise<T extends KubeObject>(obj: T): T {
  delete obj.metadata.managedFields;
  const annotations = obj.metadata.annotations;
  if (annotations && LAST_APPLIED in annotations) delete annotations[LAST_APPLIED];
  return obj;
}

export function createInformer<T extends KubeObject = KubeObject>(options: InformerOptions<T>): Informer<T> {
  const o = { ...INFORMER_DEFAULTS, ...definedOnly(options) };
  const path = resourcePath(
    options.resource,
    options.namespace !== undefined ? { namespace: options.namespace } : {},
  );
  const name = options.name ?? path;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ informer: name });
  const now = options.now ?? Date.now;
  const transform = options.transform ?? (dropNoise as (obj: KubeObject) => T);
  const store = createStore<T>();
  const handlers = new Set<InformerHandlers<T>>();
  if (options.handlers) handlers.add(options.handlers);
  const backoff = createBackoff(options.backoff);
  const metrics = informerMetrics(options.registry, name);
  const stats: InformerStats = { lists: 0, watches: 0, failures: 0, lastError: undefined };

  const stopper = new AbortController();
  let loop: Promise<void> | undefined;
  let untrack: (() => void) | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let synced = false;
  let lastEventAt: number | undefined;
  let resourceVersion: string | undefined;
  let resolveSynced!: (v: boolean) => void;
  const syncedPromise = new Promise<boolean>((resolve) => (resolveSynced = resolve));

  function emit<K extends keyof InformerHandlers<T>>(
    kind: K,
    ...args: Parameters<NonNullable<InformerHandlers<T>[K]>>
  ): void {
    for (const h of handlers) {
      const fn = h[kind] as ((...a: typeof args) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(h, args);
      } catch (err) {
        logger.error({ err, event: kind }, 'informer handler threw; the informer carries on');
      }
    }
  }

  function prepare(obj: KubeObject): T {
    const out = transform(obj);
    return options.freeze ? deepFreeze(out) : out;
  }

  async function relist(signal: AbortSignal): Promise<void> {
    const list = await listKubeObjects(options.api, {
      path,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: o.pageSize,
      signal,
      prepare,
    });
    stats.lists++;
    metrics.listed();
    const diff = store.replace(list.items);
    resourceVersion = list.resourceVersion;
    lastEventAt = now();
    logger.debug(
      {
        resourceVersion,
        pages: list.pages,
        objects: store.size,
        added: diff.added.length,
        updated: diff.updated.length,
        deleted: diff.deleted.length,
      },
      'listed',
    );
    for (const obj of diff.added) emit('onAdd', obj);
    for (const u of diff.updated) emit('onUpdate', u.old, u.new);
    for (const obj of diff.deleted) emit('onDelete', obj);
    if (!synced) {
      synced = true;
      resolveSynced(true);
      startResync();
    }
  }

  /** One watch request; resolves with the number of events when the server ends it cleanly. */
  async function watchOnce(signal: AbortSignal): Promise<number> {
    // Our own controller aborts on inactivity; `any` also covers a stop that came before this call.
    const watchAbort = new AbortController();
    const requestSignal = AbortSignal.any([signal, watchAbort.signal]);
    let inactivity: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(inactivity);
      inactivity = setTimeout(() => {
        watchAbort.abort(
          new WatchError({
            reason: 'inactive',
            path,
            message: `no data for ${o.inactivityTimeoutMs} ms`,
          }),
        );
      }, o.inactivityTimeoutMs);
    };
    let events = 0;
    try {
      stats.watches++;
      touch();
      const timeoutSeconds = o.watchTimeoutSeconds + Math.floor(Math.random() * o.watchTimeoutSeconds);
      const res = await options.api.request({
        path,
        query: {
          watch: 1,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        timeoutMs: false,
        signal: requestSignal,
      });
      if (res.status !== 200) {
        const text = await res.body.text().catch(() => '');
        throw new KubeApiError({
          method: 'GET',
          path,
          status: res.status,
          body: parseStatus(text),
        });
      }
      const body = touching(res.body as AsyncIterable<Buffer>, touch);
      for await (const ev of watchEvents(body, path)) {
        events++;
        lastEventAt = now();
        switch (ev.type) {
          case 'BOOKMARK':
            resourceVersion = ev.object.metadata.resourceVersion;
            break;
          case 'ERROR':
            throw new WatchError({
              reason: ev.object.code === 410 ? 'gone' : 'error-event',
              path,
              status: ev.object.code,
              message: `ERROR event ${ev.object.code ?? ''} ${ev.object.reason ?? ''}: ${ev.object.message ?? ''}`,
            });
          case 'ADDED':
          case 'MODIFIED': {
            const obj = prepare(ev.object);
            const old = store.set(obj);
            resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
            if (old === undefined) emit('onAdd', obj);
            else emit('onUpdate', old, obj);
            break;
          }
          case 'DELETED': {
            const obj = prepare(ev.object);
            store.delete(objectKey(obj));
            resourceVersion = obj.metadata.resourceVersion ?? resourceVersion;
            emit('onDelete', obj);
            break;
          }
        }
      }
      return events;
    } catch (err) {
      // An abort surfaces as the stream's AbortError: report why we aborted instead.
      if (watchAbort.signal.aborted && !signal.aborted) throw watchAbort.signal.reason;
      throw err;
    } finally {
      clearTimeout(inactivity);
      watchAbort.abort();
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await relist(signal);
          needList = false;
        }
        const started = now();
        const events = await watchOnce(signal);
        if (events === 0 && now() - started < o.minWatchDurationMs) {
          throw new Error(`watch closed by the server after ${now() - started} ms without any event`);
        }
        continue;
      } catch (err) {
        if (signal.aborted) break;
        const gone = isGone(err);
        if (gone) needList = true;
        const reason = failureReason(err);
        stats.failures++;
        stats.lastError = err instanceof Error ? err.message : String(err);
        metrics.watchFailed(reason);
        const delayMs = backoff.next(now());
        const log = { err, reason, delayMs, resourceVersion };
        if (gone) logger.info(log, 'resourceVersion expired; relisting');
        else logger.warn(log, 'list/watch failed; retrying after backoff');
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  function startResync(): void {
    // A handler of the first list may have stopped the informer: stop() has cleared no timer yet.
    if (!(o.resyncPeriodMs > 0) || stopper.signal.aborted) return;
    resyncTimer = setInterval(() => {
      for (const obj of store.list()) emit('onUpdate', obj, obj);
    }, o.resyncPeriodMs);
  }

  return {
    get: (key) => store.get(key),
    list: () => store.list(),
    keys: () => store.keys(),
    get size() {
      return store.size;
    },
    start() {
      if (loop !== undefined || stopper.signal.aborted) return;
      untrack = metrics.track({ lastEventAt: () => lastEventAt, size: () => store.size, now });
      loop = run(stopper.signal).catch((err: unknown) => {
        // run() catches everything itself; reaching here is a bug, but never an unhandled rejection.
        logger.error({ err }, 'informer loop crashed');
      });
    },
    async stop() {
      stopper.abort(new Error('informer stopped'));
      clearInterval(resyncTimer);
      untrack?.();
      if (!synced) resolveSynced(false);
      await loop;
    },
    synced: syncedPromise,
    hasSynced: () => synced,
    addHandlers(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    get lastEventAt() {
      return lastEventAt;
    },
    get resourceVersion() {
      return resourceVersion;
    },
    stats: () => ({ ...stats }),
  };
}

/** Calls `touch` for every chunk, so the inactivity timer restarts whenever bytes arrive. */
async function* touching(source: AsyncIterable<Buffer>, touch: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    touch();
    yield chunk;
  }
}

function failureReason(err: unknown): string {
  if (err instanceof WatchError) return err.reason;
  if (err instanceof KubeApiError) return String(err.status);
  if (err instanceof KubeTransportError) return err.transportCode;
  return 'other';
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
