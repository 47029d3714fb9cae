import { MAX_TIMER_DELAY_MS, realClock, type TimerHandle } from './clock.ts';
import { createQueueMetrics } from './metrics.ts';
import { createQueue, type Queue, type QueueOptions } from './queue.ts';

/**
 * A {@link Queue} that can also add an item later, so failures come back without a hot loop.
 *
 * - An item waiting to be added once is waiting once: a second `addAfter` for it only moves its
 *   deadline earlier, never later (the earliest deadline wins).
 * - Waiting items sit in a min-heap ordered by deadline, behind ONE timer armed for the earliest.
 * - Shutdown drops every waiting item and clears the timer, so no handle outlives the queue.
 * - A due item goes through `add`, so the base queue's de-duplication and exclusivity apply.
 */
export interface DelayingQueue<T> extends Queue<T> {
  /** Adds the item after `ms` milliseconds; at once when `ms <= 0`. Ignored after shutdown. */
  addAfter(item: T, ms: number): void;
}

export type DelayingQueueOptions<T> = QueueOptions<T>;

interface Waiting<T> {
  readonly item: T;
  readyAt: number;
  /** Position in the heap, kept current by every swap. */
  index: number;
}

export function createDelayingQueue<T>(options: DelayingQueueOptions<T> = {}): DelayingQueue<T> {
  const clock = options.clock ?? realClock;
  const metrics =
    options.metrics ?? createQueueMetrics<T>({ name: options.name, registry: options.registry, clock });
  const base = createQueue<T>({ ...options, clock, metrics });

  const heap: Waiting<T>[] = [];
  const byItem = new Map<T, Waiting<T>>();
  let timer: TimerHandle | undefined;
  /** Deadline the timer is armed for, to avoid re-arming for the same head. */
  let timerAt = Infinity;

  const swap = (i: number, j: number): void => {
    const a = heap[i] as Waiting<T>;
    const b = heap[j] as Waiting<T>;
    heap[i] = b;
    heap[j] = a;
    b.index = i;
    a.index = j;
  };
  const less = (i: number, j: number): boolean =>
    (heap[i] as Waiting<T>).readyAt < (heap[j] as Waiting<T>).readyAt;
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && less(l, min)) min = l;
      if (r < heap.length && less(r, min)) min = r;
      if (min === i) return;
      swap(i, min);
      i = min;
    }
  };
  const popHead = (): Waiting<T> => {
    const top = heap[0] as Waiting<T>;
    const last = heap.pop() as Waiting<T>;
    if (heap.length > 0) {
      heap[0] = last;
      last.index = 0;
      down(0);
    }
    byItem.delete(top.item);
    return top;
  };

  const disarm = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  };

  /** Arms the single timer for the earliest deadline, if it is not already armed for it. */
  const arm = (): void => {
    const next = heap[0];
    if (next === undefined) return disarm();
    if (timer !== undefined && timerAt === next.readyAt) return;
    disarm();
    timerAt = next.readyAt;
    const delay = Math.min(Math.max(next.readyAt - clock.now(), 0), MAX_TIMER_DELAY_MS);
    timer = clock.setTimeout(fire, delay);
  };

  function fire(): void {
    timer = undefined;
    timerAt = Infinity;
    const now = clock.now();
    while (heap.length > 0 && (heap[0] as Waiting<T>).readyAt <= now) base.add(popHead().item);
    // A timer may fire a hair early against clock.now(), or a capped delay ran out: re-arm.
    arm();
  }

  const dropWaiting = (): void => {
    disarm();
    heap.length = 0;
    byItem.clear();
  };

  return {
    ...base,
    addAfter(item, ms) {
      if (base.shuttingDown()) return;
      metrics.retry();
      if (!(ms > 0)) return base.add(item);
      const readyAt = clock.now() + ms;
      const existing = byItem.get(item);
      if (existing) {
        if (readyAt >= existing.readyAt) return;
        existing.readyAt = readyAt;
        up(existing.index);
      } else {
        const entry: Waiting<T> = { item, readyAt, index: heap.length };
        heap.push(entry);
        byItem.set(item, entry);
        up(entry.index);
      }
      arm();
    },
    shutDown() {
      dropWaiting();
      base.shutDown();
    },
    shutDownWithDrain() {
      dropWaiting();
      return base.shutDownWithDrain();
    },
  };
}
