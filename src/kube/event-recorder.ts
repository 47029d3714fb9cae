/**
 * Records `events.k8s.io/v1` Events the way client-go's `tools/events` recorder does, on raw JSON.
 *
 * Promises:
 * - `record` never throws and never waits: the API calls run in the background, and their
 *   failures are logged at debug level and counted, never surfaced to the caller.
 * - Repeats of an Event (same regarding object, type, reason, action, note and related object) seen
 *   within `seriesWindowMs` of the previous one do not create new objects: they become a series.
 *   The first repeat PATCHes `series: {count: 2, lastObservedTime}` at once, as client-go does; later
 *   ones are coalesced into at most one PATCH per Event per `seriesUpdateIntervalMs`, and `flush`
 *   sends what is pending. So the API sees a bounded number of writes however hot the loop.
 * - A new Event takes a token from its regarding object's bucket and from the recorder's global one
 *   (`event-rate-limit.ts`); without one it is dropped and counted
 *   (`lifeboat_events_dropped_total{reason="rate_limited"}`). Series PATCHes take a global token
 *   too, and wait for the next interval when there is none (the count is kept, not dropped).
 * - Memory is bounded: at most `maxSeries` Events are remembered (least recently observed go
 *   first), and each is forgotten once its window has passed.
 * - Events of cluster-scoped objects are created in the `default` namespace.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { KubeApiError } from './api-client-errors.ts';
import type { KubeRequester } from './api-client.ts';
import { clampEventInput, eventBody, eventKey, eventName, microTime, objectReference } from './event-body.ts';
import type { EventBody, EventInput, ObjectReference } from './event-body.ts';
import { createEventRateLimiter } from './event-rate-limit.ts';
import type { DropBucketOptions } from './event-rate-limit.ts';
import { RESOURCES, resourcePath } from './resource.ts';
import type { KubeObject } from './store.ts';
import { realClock } from './workqueue/clock.ts';
import type { Clock, TimerHandle } from './workqueue/clock.ts';

export type { EventInput, EventType, ObjectReference } from './event-body.ts';

export interface EventRecorder {
  /**
   * Records an Event about `regarding` (a cached object carrying apiVersion/kind, or a reference).
   * Never throws, never waits; the Event may be aggregated into a series or dropped by the rate limit.
   */
  record(regarding: KubeObject | ObjectReference, event: EventInput): void;
  /** Sends pending series updates now; resolves when every API call begun so far has finished. */
  flush(): Promise<void>;
  /** Flushes, then drops every later `record` (for shutdown). */
  close(): Promise<void>;
}

export interface EventRecorderOptions {
  api: KubeRequester;
  /** `reportingInstance`: who in the controller's replicas recorded it (the pod name, the leader identity). */
  identity: string;
  /** `reportingController`; a qualified name. */
  reportingController?: string;
  /** A repeat within this long of the previous occurrence joins its series; later ones start a new Event. */
  seriesWindowMs?: number;
  /** Least time between two series PATCHes of one Event (the first repeat is sent at once). */
  seriesUpdateIntervalMs?: number;
  maxSeries?: number;
  perObject?: DropBucketOptions;
  global?: DropBucketOptions;
  logger?: Logger;
  /** Registry for `lifeboat_events_dropped_total`; missing: not counted. */
  registry?: Registry;
  /** Timers and the series window (monotonic). */
  clock?: Clock;
  /** Wall-clock milliseconds since the epoch, for `eventTime` and `lastObservedTime`. */
  wallClock?: () => number;
}

export const EVENT_RECORDER_DEFAULTS = Object.freeze({
  reportingController: 'lifeboat.dev/lifeboat',
  // client-go's finishTime: a series not seen for 6 minutes is over.
  seriesWindowMs: 6 * 60_000,
  // client-go sends the count again only on a 30-minute heartbeat; 30 s keeps `kubectl events`
  // current while a loop repeats an Event every few milliseconds costing 2 writes a minute.
  seriesUpdateIntervalMs: 30_000,
  maxSeries: 4096,
  // client-go's spam filter allows a burst of 25 per object; it refills one per 5 minutes, which
  // hides a recovering object's next real news, so here one per 5 s.
  perObject: Object.freeze({ burst: 25, refillMs: 5_000 }),
  // At most 10 new Events per second for the whole process (a burst of 100): a tenth of the API
  // client's 100 qps, so Events never crowd out reconciles.
  global: Object.freeze({ burst: 100, refillMs: 100 }),
  maxObjects: 10_000,
});

type DropReason = 'rate_limited' | 'api_error' | 'closed' | 'invalid';

interface Series {
  readonly key: string;
  readonly body: EventBody;
  /** Occurrences observed, and how many the API server has been told of. */
  count: number;
  sent: number;
  /** Monotonic, for the window; wall clock, for `lastObservedTime`. */
  lastSeenAt: number;
  lastSeenWall: number;
  /** Until the POST succeeded, the object does not exist to PATCH. */
  created: boolean;
  busy: boolean;
  timer: TimerHandle | undefined;
  lastPatchAt: number | undefined;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const d = EVENT_RECORDER_DEFAULTS;
  const o = {
    identity: options.identity,
    reportingController: options.reportingController ?? d.reportingController,
    seriesWindowMs: options.seriesWindowMs ?? d.seriesWindowMs,
    seriesUpdateIntervalMs: options.seriesUpdateIntervalMs ?? d.seriesUpdateIntervalMs,
    maxSeries: options.maxSeries ?? d.maxSeries,
  };
  const clock = options.clock ?? realClock;
  const wallClock = options.wallClock ?? Date.now;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'event-recorder' });
  const dropped = droppedCounter(options.registry);
  const limiter = createEventRateLimiter({
    perObject: options.perObject ?? d.perObject,
    global: options.global ?? d.global,
    maxObjects: d.maxObjects,
  });
  /** Ordered least recently observed first. */
  const series = new Map<string, Series>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let sequence = 0n;

  const drop = (reason: DropReason, log: Record<string, unknown>): void => {
    dropped?.inc({ reason });
    logger.debug({ ...log, reason }, 'event dropped');
  };

  function background(work: () => Promise<void>): void {
    const p = Promise.resolve()
      .then(work)
      .catch((err: unknown) => logger.debug({ err }, 'event recorder failure'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  function forget(s: Series): void {
    if (series.get(s.key) !== s) return;
    series.delete(s.key);
    if (s.timer !== undefined) clock.clearTimeout(s.timer);
  }

  /** Forgets series whose window has passed, and the oldest beyond `maxSeries`. */
  function sweep(now: number): void {
    for (const s of series.values()) {
      const expired = now - s.lastSeenAt > o.seriesWindowMs;
      if (!(expired || series.size > o.maxSeries) || s.busy) break;
      forget(s);
    }
  }

  function create(s: Series): void {
    background(async () => {
      const body = s.sent > 1 ? { ...s.body, series: seriesOf(s) } : s.body;
      try {
        await options.api.requestJson({
          method: 'POST',
          path: resourcePath(RESOURCES.events, { namespace: s.body.metadata.namespace }),
          body,
        });
        s.created = true;
      } catch (err) {
        forget(s); // the next occurrence starts afresh
        drop('api_error', { err, event: s.body.metadata.name });
      } finally {
        s.busy = false;
      }
      schedule(s);
    });
  }

  function patch(s: Series, force: boolean): void {
    s.timer = undefined;
    if (s.busy || s.count === s.sent || series.get(s.key) !== s) return;
    if (!force && !limiter.allowGlobal(clock.now())) return schedule(s, o.seriesUpdateIntervalMs);
    s.busy = true;
    s.sent = s.count;
    s.lastPatchAt = clock.now();
    background(async () => {
      try {
        await options.api.requestJson({
          method: 'PATCH',
          path: resourcePath(RESOURCES.events, {
            namespace: s.body.metadata.namespace,
            name: s.body.metadata.name,
          }),
          contentType: 'application/merge-patch+json',
          body: { series: seriesOf(s) },
        });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) {
          // Expired (the API server keeps Events for an hour) or deleted: create it again with its
          // series, as client-go does.
          s.created = false;
          return create(s);
        }
        drop('api_error', { err, event: s.body.metadata.name });
      } finally {
        if (s.created) s.busy = false;
      }
      schedule(s);
    });
  }

  /** Arms the series PATCH for a pending count, no sooner than the interval allows. */
  function schedule(s: Series, minDelayMs = 0): void {
    if (!s.created || s.busy || s.timer !== undefined || s.count === s.sent) return;
    const since = s.lastPatchAt === undefined ? Infinity : clock.now() - s.lastPatchAt;
    const delay = Math.max(minDelayMs, o.seriesUpdateIntervalMs - since, 0);
    const timer = clock.setTimeout(() => patch(s, false), delay);
    // A pending count must not keep a finished process alive; `close` sends it.
    (timer as { unref?: () => void }).unref?.();
    s.timer = timer;
  }

  function seriesOf(s: Series): { count: number; lastObservedTime: string } {
    return { count: s.count, lastObservedTime: microTime(s.lastSeenWall) };
  }

  function recordUnguarded(regardingInput: KubeObject | ObjectReference, input: EventInput): void {
    if (closed) return drop('closed', { eventReason: input.reason });
    let regarding: ObjectReference;
    let event: EventInput;
    try {
      regarding = 'metadata' in regardingInput ? objectReference(regardingInput) : regardingInput;
      event = clampEventInput(input);
    } catch (err) {
      return drop('invalid', { err, eventReason: input.reason });
    }
    const now = clock.now();
    const wall = wallClock();
    sweep(now);
    const key = eventKey(regarding, event);
    const existing = series.get(key);
    if (existing !== undefined && now - existing.lastSeenAt <= o.seriesWindowMs) {
      existing.count++;
      existing.lastSeenAt = now;
      existing.lastSeenWall = wall;
      series.delete(key); // re-inserted last: most recently observed
      series.set(key, existing);
      return schedule(existing);
    }
    if (existing !== undefined) forget(existing);
    const objectId = regarding.uid ?? `${regarding.kind}/${regarding.namespace ?? ''}/${regarding.name}`;
    if (!limiter.allow(objectId, now)) {
      return drop('rate_limited', { regarding: objectId, eventReason: event.reason });
    }
    // client-go: the time in ns; the sequence tells apart two Events within one ns.
    const unique = BigInt(Math.round(wall * 1000)) * 1000n + (sequence++ % 1000n);
    const body = eventBody(regarding, event, {
      name: eventName(regarding.name, unique),
      eventTimeMs: wall,
      reportingController: o.reportingController,
      reportingInstance: o.identity,
    });
    const s: Series = {
      key,
      body,
      count: 1,
      sent: 1,
      lastSeenAt: now,
      lastSeenWall: wall,
      created: false,
      busy: true,
      timer: undefined,
      lastPatchAt: undefined,
    };
    series.set(key, s);
    sweep(now);
    create(s);
  }

  async function flush(): Promise<void> {
    for (;;) {
      for (const s of series.values()) {
        if (s.timer !== undefined) {
          clock.clearTimeout(s.timer);
          patch(s, true);
        }
      }
      if (inFlight.size === 0) return;
      await Promise.allSettled([...inFlight]);
    }
  }

  return {
    record(regarding, event) {
      try {
        recordUnguarded(regarding, event);
      } catch (err) {
        // Defensive: a bug here must never reach the caller's reconcile.
        logger.debug({ err }, 'event recorder failure');
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
      for (const s of series.values()) if (s.timer !== undefined) clock.clearTimeout(s.timer);
      series.clear();
    },
  };
}

function droppedCounter(registry: Registry | undefined): Counter<'reason'> | undefined {
  if (registry === undefined) return undefined;
  const name = 'lifeboat_events_dropped_total';
  // One family per registry: a second recorder on the same registry reuses the first one's.
  return (
    (registry.getSingleMetric(name) as Counter<'reason'> | undefined) ??
    new Counter({
      name,
      help: 'Events not sent to the API server, by reason (rate_limited, api_error, closed, invalid)',
      labelNames: ['reason'],
      registers: [registry],
    })
  );
}
