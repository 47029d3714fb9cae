import { pino, type Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { isPermanentError, LifeboatError } from '../common/errors.ts';
import { perRegistry } from '../common/metric-families.ts';
import { realClock, type Clock } from './workqueue/clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './workqueue/rate-limiters.ts';
import { createRateLimitingQueue, type RateLimitingQueue } from './workqueue/rate-limiting-queue.ts';

/**
 * The controller loop of kubernetes/sample-controller: event handlers `enqueue` keys, N workers
 * take keys from a rate-limiting queue and `reconcile` them.
 *
 * Contract:
 * - A key is never reconciled by two workers at once, and a key enqueued many times while it
 *   waits is reconciled once (the queue's promises).
 * - `reconcile` succeeds → the key's backoff is forgotten; with `requeueAfter` it comes back then.
 * - `reconcile` returns `{ requeue: 'rateLimited' }` → the key comes back after the rate limiter's
 *   next delay for it, and its backoff is kept: a condition only time fixes (a lost write race, a
 *   Secret not there yet, a failed copy) is rechecked soon at first, then ever more slowly, and the
 *   reconciler keeps no per-key counter of its own. The next plain success forgets it.
 * - `reconcile` throws or rejects → logged with the key and error, retried with backoff
 *   (5 ms doubling to 1000 s per key, 10 qps overall). Nothing it does can end the process.
 * - The error policy: a `LifeboatError` with `temporary === false` (a malformed reference, a
 *   refused credential, a digest mismatch) is permanent — retrying the same input cannot fix it.
 *   Its key is forgotten, not requeued (no hot loop, no 1000 s backoff climb), it is logged at warn,
 *   counted in `controller_runtime_terminal_reconcile_errors_total` (controller-runtime's name for
 *   its TerminalError) and handed to `onPermanentError` (the owner records an Event). The next
 *   change to the object enqueues the key again. Every other error is temporary.
 * - One log line per reconcile (debug on success, error on failure) with key, outcome and
 *   duration, and controller-runtime's reconcile metrics labelled by controller name.
 * - `run` does not wait for caches: await informer sync before calling it.
 */
export interface Controller {
  readonly name: string;
  /** Queues a key (`namespace/name`, or `name` for cluster-scoped objects). Never blocks. */
  enqueue(key: string): void;
  /**
   * Starts the workers and resolves once `signal` is aborted and every reconcile in flight has
   * returned. Keys still queued at that point are dropped: the informers list them again on the
   * next start. A controller runs once.
   */
  run(signal: AbortSignal): Promise<void>;
}

export interface ReconcileResult {
  /** Reconcile the key again after this many milliseconds, even without a new event. */
  requeueAfter?: number;
  /**
   * Reconcile the key again after the rate limiter's next delay for it, keeping its backoff (see the
   * contract). Takes precedence over `requeueAfter`.
   */
  requeue?: 'rateLimited';
}

/**
 * Brings the object named by `key` to its desired state. Must be idempotent: it may run for
 * spurious or duplicate events. Throw (or reject) to be retried with backoff. `signal` aborts
 * when the controller shuts down.
 */
export type Reconciler = (
  key: string,
  signal: AbortSignal,
) => Promise<ReconcileResult | void> | ReconcileResult | void;

export interface ControllerOptions {
  /** Names the controller in logs and metrics and its queue in workqueue metrics. */
  name: string;
  /** Keys reconciled in parallel. */
  workers?: number;
  reconcile: Reconciler;
  /** Defaults to a rate-limiting queue with `rateLimiter`. */
  queue?: RateLimitingQueue<string>;
  /**
   * The per-key backoff of errors and of `requeue: 'rateLimited'`; defaults to client-go's default
   * controller rate limiter (5 ms doubling to 1000 s per key, 10 qps overall). Ignored with `queue`.
   */
  rateLimiter?: RateLimiter<string>;
  logger?: Logger;
  /** Registry for reconcile and workqueue metrics. Missing: no metrics. */
  registry?: Registry;
  clock?: Clock;
  /**
   * Called once per permanent failure (see the error policy), after the key was forgotten; for an
   * Event on the object. It must not throw; if it does, the error is logged and ignored.
   */
  onPermanentError?: (key: string, error: LifeboatError) => void;
}

/** Thrown by `run` when the controller was already started. */
export class ControllerAlreadyStartedError extends LifeboatError {
  readonly code = 'CONTROLLER_ALREADY_STARTED';
  /** A wiring mistake: calling `run` again never succeeds. */
  readonly temporary = false;
  readonly controller: string;
  constructor(controller: string) {
    super(`controller ${controller} was already started; a controller runs once`);
    this.name = 'ControllerAlreadyStartedError';
    this.controller = controller;
  }
}

const DEFAULTS = {
  /** sample-controller runs 2; enough to overlap one slow key, few enough to keep API load low. */
  workers: 2,
} as const;

type Outcome = 'success' | 'requeue' | 'requeue_after' | 'error' | 'permanent_error';

interface ReconcileMetrics {
  observe(outcome: Outcome, seconds: number): void;
}

/**
 * controller-runtime's buckets for reconcile time: fine-grained below a second, up to a minute.
 * Same buckets, same dashboards.
 */
const RECONCILE_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

interface ReconcileFamilies {
  total: Counter<'controller' | 'result'>;
  errors: Counter<'controller'>;
  terminal: Counter<'controller'>;
  time: Histogram<'controller'>;
}

const reconcileFamilies = perRegistry((registry): ReconcileFamilies => ({
  total: new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'],
    registers: [registry],
  }),
  errors: new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'],
    registers: [registry],
  }),
  terminal: new Counter({
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    labelNames: ['controller'],
    registers: [registry],
  }),
  time: new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'],
    buckets: RECONCILE_BUCKETS_SECONDS,
    registers: [registry],
  }),
}));

function reconcileMetrics(controller: string, registry: Registry | undefined): ReconcileMetrics {
  if (!registry) return { observe: () => undefined };
  const families = reconcileFamilies(registry);
  for (const result of ['success', 'requeue', 'requeue_after', 'error'] as const) {
    families.total.inc({ controller, result }, 0);
  }
  families.errors.inc({ controller }, 0);
  families.terminal.inc({ controller }, 0);
  return {
    observe(outcome, seconds) {
      // controller-runtime counts a terminal error as result="error" and in both error counters.
      const failed = outcome === 'error' || outcome === 'permanent_error';
      families.total.inc({ controller, result: failed ? 'error' : outcome });
      if (failed) families.errors.inc({ controller });
      if (outcome === 'permanent_error') families.terminal.inc({ controller });
      families.time.observe({ controller }, seconds);
    },
  };
}

export function createController(options: ControllerOptions): Controller {
  const { name, reconcile } = options;
  const workers = options.workers ?? DEFAULTS.workers;
  if (!name) throw new TypeError('controller needs a name');
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`controller ${name}: workers must be a positive integer, got ${workers}`);
  }
  const clock = options.clock ?? realClock;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ controller: name });
  const queue =
    options.queue ??
    createRateLimitingQueue<string>({
      name,
      clock,
      rateLimiter: options.rateLimiter ?? defaultControllerRateLimiter<string>({ clock }),
      ...(options.registry ? { registry: options.registry } : {}),
    });
  const metrics = reconcileMetrics(name, options.registry);
  let started = false;

  /** Reconciles one key; settles the queue's bookkeeping whatever happens. */
  async function processKey(key: string, signal: AbortSignal): Promise<void> {
    const start = clock.now();
    let outcome: Outcome;
    let requeueAfter: number | undefined;
    let failure: unknown;
    try {
      const result = await reconcile(key, signal);
      requeueAfter = result?.requeueAfter;
      if (result?.requeue === 'rateLimited') {
        queue.addRateLimited(key);
        outcome = 'requeue';
      } else if (requeueAfter !== undefined && requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, requeueAfter);
        outcome = 'requeue_after';
      } else {
        queue.forget(key);
        outcome = 'success';
      }
    } catch (err) {
      failure = err;
      if (isPermanentError(err) && !signal.aborted) {
        outcome = 'permanent_error';
        queue.forget(key);
      } else {
        outcome = 'error';
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
    const durationMs = clock.now() - start;
    metrics.observe(outcome, durationMs / 1000);
    if (outcome === 'permanent_error') {
      logger.warn({ key, outcome, durationMs, err: failure }, 'reconcile failed permanently: not retried');
      try {
        options.onPermanentError?.(key, failure as LifeboatError);
      } catch (err) {
        logger.error({ key, err }, 'onPermanentError handler threw');
      }
    } else if (outcome === 'error') {
      const fields = { key, outcome, durationMs, requeues: queue.numRequeues(key), err: failure };
      if (signal.aborted) logger.info(fields, 'reconcile interrupted by shutdown');
      else logger.error(fields, 'reconcile failed');
    } else {
      logger.debug({ key, outcome, durationMs, requeueAfterMs: requeueAfter }, 'reconciled');
    }
  }

  async function worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = await queue.get();
      if (next.shutdown) return;
      if (signal.aborted) {
        queue.done(next.item);
        return;
      }
      try {
        await processKey(next.item, signal);
      } catch (err) {
        // Only logging or metrics can land here; the worker must outlive them too.
        logger.error({ key: next.item, err }, 'worker bookkeeping failed');
      }
    }
  }

  return {
    name,
    enqueue: (key) => queue.add(key),
    async run(signal) {
      if (started) throw new ControllerAlreadyStartedError(name);
      started = true;
      let drained: Promise<void> = Promise.resolve();
      // Stop handing out keys at once; in-flight reconciles see `signal` and finish.
      const stop = (): void => {
        drained = queue.shutDownWithDrain();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      logger.info({ workers }, 'starting workers');
      try {
        await Promise.all(Array.from({ length: workers }, () => worker(signal)));
        await drained;
      } finally {
        signal.removeEventListener('abort', stop);
      }
      logger.info('workers stopped');
    },
  };
}
