import type { Registry } from 'prom-client';
import { realClock, type Clock } from './clock.ts';
import { createQueueMetrics, type QueueMetrics } from './metrics.ts';

/**
 * A work queue with client-go's promises:
 *
 * - **Fair:** items are processed in the order they were added.
 * - **Stingy:** an item added several times before a worker takes it is processed once.
 * - **Exclusive:** an item is never held by two workers at once. Adding an item while a worker
 *   holds it queues it again, to be handed out only after that worker calls `done`.
 * - **Many producers and consumers:** any number of callers may `add` and `get`.
 * - **Shutdown:** after `shutDown`, adds are ignored, `get` keeps handing out what is already queued
 *   and then answers `shutdown: true`.
 *
 * Items are compared as Map keys (SameValueZero): use strings such as `namespace/name`.
 */
export interface Queue<T> {
  /** Marks the item as needing processing. Ignored after shutdown. */
  add(item: T): void;
  /**
   * Waits for an item and hands it to the caller, who now holds it and MUST call `done(item)`
   * when finished (in a `finally`), or the item is never processed again. Resolves with
   * `shutdown: true` once the queue is shut down and empty; the caller should then stop.
   */
  get(): Promise<QueueGetResult<T>>;
  /**
   * Releases an item taken with `get`; re-queues it if it was added again meanwhile. Ignored for
   * an item nobody holds, so a double `done` cannot corrupt the bookkeeping.
   */
  done(item: T): void;
  /** Items waiting to be taken. For information only: never gate `add` or `get` on it. */
  len(): number;
  /** Ignore new items and wake every waiting `get`. Safe to call more than once. */
  shutDown(): void;
  /**
   * Like `shutDown`, then waits until every item held by a worker is `done`. Items still queued
   * are not waited for: whoever keeps calling `get` receives them. A later `shutDown` stops the
   * wait at once.
   */
  shutDownWithDrain(): Promise<void>;
  shuttingDown(): boolean;
}

export type QueueGetResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

export interface QueueOptions<T> {
  /** Names the queue in metrics; an unnamed queue records no metrics. */
  name?: string;
  /** Registry for the workqueue metrics. Missing: no metrics. */
  registry?: Registry;
  clock?: Clock;
  /** Overrides the metrics built from `name` and `registry` (wrapping queues share theirs). */
  metrics?: QueueMetrics<T>;
}

export function createQueue<T>(options: QueueOptions<T> = {}): Queue<T> {
  const clock = options.clock ?? realClock;
  const metrics =
    options.metrics ?? createQueueMetrics<T>({ name: options.name, registry: options.registry, clock });

  // Invariant: every element of `queue` is in `dirty` and not in `processing`.
  /** Order in which items are handed out; `head` skips taken entries without shifting. */
  let queue: T[] = [];
  let head = 0;
  /** Items that need processing, queued or waiting for their worker's `done`. */
  const dirty = new Set<T>();
  /** Items held by a worker. */
  const processing = new Set<T>();
  /** Callers of `get` waiting for an item; non-empty only while `queue` is empty. */
  const waiters: ((result: QueueGetResult<T>) => void)[] = [];
  /** Callers of `shutDownWithDrain` waiting for `processing` to empty. */
  let drainWaiters: (() => void)[] = [];
  let shutting = false;

  const queued = (): number => queue.length - head;

  /** Moves the next queued item to a worker. Caller checks that the queue is not empty. */
  const take = (): T => {
    const item = queue[head] as T;
    head++;
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    metrics.get(item);
    processing.add(item);
    dirty.delete(item);
    return item;
  };

  const enqueue = (item: T): void => {
    queue.push(item);
    const waiter = waiters.shift();
    if (waiter) waiter({ item: take(), shutdown: false });
  };

  const releaseDrainWaiters = (): void => {
    const pending = drainWaiters;
    drainWaiters = [];
    for (const resolve of pending) resolve();
  };

  const refuseWork = (): void => {
    shutting = true;
    // Waiters exist only while the queue is empty, so every one of them is told to stop.
    for (const waiter of waiters.splice(0)) waiter({ item: undefined, shutdown: true });
  };

  return {
    add(item) {
      if (shutting || dirty.has(item)) return;
      metrics.add(item);
      dirty.add(item);
      if (processing.has(item)) return; // handed out again by `done`
      enqueue(item);
    },
    get() {
      if (queued() > 0) return Promise.resolve({ item: take(), shutdown: false });
      if (shutting) return Promise.resolve({ item: undefined, shutdown: true });
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(item) {
      if (!processing.delete(item)) return;
      metrics.done(item);
      if (dirty.has(item)) enqueue(item);
      if (processing.size === 0) releaseDrainWaiters();
    },
    len: queued,
    shutDown() {
      refuseWork();
      releaseDrainWaiters();
    },
    shutDownWithDrain() {
      refuseWork();
      if (processing.size === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    shuttingDown: () => shutting,
  };
}
