import { realClock } from './clock.ts';
import { createDelayingQueue, type DelayingQueue, type DelayingQueueOptions } from './delaying-queue.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters.ts';

/**
 * A {@link DelayingQueue} that asks a {@link RateLimiter} how long a failed item waits.
 *
 * Remember to call `forget` when an item succeeds: otherwise its backoff keeps growing from the
 * failures before, and the limiter keeps tracking it forever.
 */
export interface RateLimitingQueue<T> extends DelayingQueue<T> {
  /** Adds the item after the wait the rate limiter decides; counts as one more failure. */
  addRateLimited(item: T): void;
  /** Ends the item's backoff (it stays queued if it is queued). */
  forget(item: T): void;
  /** Failures of the item since it was last forgotten. */
  numRequeues(item: T): number;
}

export interface RateLimitingQueueOptions<T> extends DelayingQueueOptions<T> {
  /** Defaults to {@link defaultControllerRateLimiter} on the queue's clock. */
  rateLimiter?: RateLimiter<T>;
}

export function createRateLimitingQueue<T>(options: RateLimitingQueueOptions<T> = {}): RateLimitingQueue<T> {
  const clock = options.clock ?? realClock;
  const limiter = options.rateLimiter ?? defaultControllerRateLimiter<T>({ clock });
  const queue = createDelayingQueue<T>({ ...options, clock });
  return {
    ...queue,
    addRateLimited: (item) => queue.addAfter(item, limiter.when(item)),
    forget: (item) => limiter.forget(item),
    numRequeues: (item) => limiter.numRequeues(item),
  };
}
