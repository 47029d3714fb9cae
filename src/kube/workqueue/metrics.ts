import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { perRegistry } from '../../common/metric-families.ts';
import type { Clock } from './clock.ts';

/**
 * Workqueue metrics under the names controller-runtime uses, so existing dashboards and alerts
 * work unchanged. Every series carries a `name` label: the queue's name.
 *
 * - An unnamed queue, or one without a registry, records nothing (client-go's rule).
 * - Several queues may share one Registry: each metric family is created once per Registry and
 *   queues are told apart by `name`. Names should be unique within a Registry; a second queue
 *   with the same name takes over the scrape-time gauges of the first.
 * - `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds` are
 *   computed when scraped, so no ticker runs in the background.
 */
export interface QueueMetrics<T> {
  /** An item became dirty (a real add, not a collapsed duplicate). */
  add(item: T): void;
  /** A worker took the item. */
  get(item: T): void;
  /** A worker finished the item. */
  done(item: T): void;
  /** The item was scheduled to come back later (`addAfter`, hence `addRateLimited`). */
  retry(): void;
}

export interface QueueMetricsOptions {
  /** Queue name, the value of the `name` label. Empty or missing: record nothing. */
  name?: string | undefined;
  /** Registry to register into. Missing: record nothing. */
  registry?: Registry | undefined;
  clock: Clock;
}

/** Records nothing; the default for unnamed queues. */
export const noopQueueMetrics: QueueMetrics<never> = {
  add: () => undefined,
  get: () => undefined,
  done: () => undefined,
  retry: () => undefined,
};

/**
 * Buckets of controller-runtime's queue and work duration histograms: 10 ns to 1000 s, ×10 each.
 * Keeping them identical keeps histogram_quantile queries comparable across controllers.
 */
const DURATION_BUCKETS_SECONDS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** Snapshot of in-flight work, read at scrape time. */
interface InFlight {
  unfinishedSeconds: number;
  longestSeconds: number;
}

interface Families {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  /** Live queues by name, polled by the two scrape-time gauges. */
  inFlight: Map<string, () => InFlight>;
}

const familiesFor = perRegistry((registry): Families => {
  const registers = [registry];
  const labelNames = ['name'] as const;
  const inFlight = new Map<string, () => InFlight>();
  const families: Families = {
    depth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames,
      registers,
    }),
    adds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames,
      registers,
    }),
    queueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames,
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames,
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames,
      registers,
    }),
    inFlight,
  };
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help:
      "How many seconds of work has been done that is in progress and hasn't been observed by " +
      'work_duration. Large values indicate stuck threads. One can deduce the number of stuck ' +
      'threads by observing the rate at which this increases.',
    labelNames,
    registers,
    collect() {
      for (const [name, read] of inFlight) this.set({ name }, read().unfinishedSeconds);
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames,
    registers,
    collect() {
      for (const [name, read] of inFlight) this.set({ name }, read().longestSeconds);
    },
  });
  return families;
});

/** Metrics for one queue; see {@link QueueMetrics}. */
export function createQueueMetrics<T>(options: QueueMetricsOptions): QueueMetrics<T> {
  const { name, registry, clock } = options;
  if (!name || !registry) return noopQueueMetrics;
  const f = familiesFor(registry);
  const labels = { name };
  // Initialise every series at zero so a fresh queue is visible before its first add.
  f.depth.set(labels, 0);
  f.adds.inc(labels, 0);
  f.retries.inc(labels, 0);

  /** When each waiting item was first added; a collapsed re-add keeps the first time. */
  const addTimes = new Map<T, number>();
  /** When each in-flight item was taken by a worker. */
  const processingStarts = new Map<T, number>();

  f.inFlight.set(name, () => {
    const now = clock.now();
    let total = 0;
    let longest = 0;
    for (const start of processingStarts.values()) {
      const ms = now - start;
      total += ms;
      if (ms > longest) longest = ms;
    }
    return { unfinishedSeconds: total / 1000, longestSeconds: longest / 1000 };
  });

  return {
    add(item) {
      f.adds.inc(labels);
      f.depth.inc(labels);
      if (!addTimes.has(item)) addTimes.set(item, clock.now());
    },
    get(item) {
      f.depth.dec(labels);
      const now = clock.now();
      const added = addTimes.get(item);
      if (added !== undefined) {
        f.queueDuration.observe(labels, (now - added) / 1000);
        addTimes.delete(item);
      }
      processingStarts.set(item, now);
    },
    done(item) {
      const start = processingStarts.get(item);
      if (start !== undefined) {
        f.workDuration.observe(labels, (clock.now() - start) / 1000);
        processingStarts.delete(item);
      }
    },
    retry() {
      f.retries.inc(labels);
    },
  };
}
