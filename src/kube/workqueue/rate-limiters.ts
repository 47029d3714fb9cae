import { reserveToken, type BucketState } from '../../common/token-bucket.ts';
import { realClock, type Clock } from './clock.ts';

/**
 * Decides how long an item waits before it is retried (client-go's `workqueue.RateLimiter`, hence
 * the name; the Kubernetes API client's request limiter is the `TokenBucket` of src/common).
 *
 * Limiters compose: {@link maxOfRateLimiters} asks several and takes the longest wait, which is how
 * the default controller limiter combines per-item backoff with an overall budget.
 */
export interface RateLimiter<T> {
  /** Milliseconds the item should wait now. Counts as one more failure of the item. */
  when(item: T): number;
  /** Stops tracking the item: its next failure starts from the base delay again. */
  forget(item: T): void;
  /** How many times the item has failed since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * client-go's defaults: the first retry after 5 ms doubles up to a cap of 1000 s, so a hot failure
 * costs almost nothing and a permanent one settles at one attempt every ~17 minutes.
 */
export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;
/** client-go's overall budget: 10 retries a second with bursts of 100, across all items. */
export const DEFAULT_QPS = 10;
export const DEFAULT_BURST = 100;

export interface ExponentialRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Per-item exponential backoff: `baseDelayMs * 2^failures`, capped at `maxDelayMs`. */
export function createExponentialRateLimiter<T>(options: ExponentialRateLimiterOptions = {}): RateLimiter<T> {
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
    throw new RangeError(
      `exponential rate limiter needs 0 <= baseDelayMs <= maxDelayMs, got ${baseDelayMs} and ${maxDelayMs}`,
    );
  }
  const failures = new Map<T, number>();
  return {
    when(item) {
      const exp = failures.get(item) ?? 0;
      failures.set(item, exp + 1);
      // 2 ** exp overflows to Infinity after 1023 failures; the cap absorbs it.
      return Math.min(baseDelayMs * 2 ** exp, maxDelayMs);
    },
    forget(item) {
      failures.delete(item);
    },
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

export interface BucketRateLimiterOptions {
  /** Tokens added per second. */
  qps?: number;
  /** Bucket size: how many retries may go through at once after a quiet period. */
  burst?: number;
  clock?: Clock;
}

/**
 * One token bucket (src/common/token-bucket.ts) shared by all items: each `when` takes a token,
 * going into debt when the bucket is empty, and waits until the debt is repaid. Waits therefore
 * grow by `1/qps` for each retry beyond the burst. It tracks no item.
 */
export function createBucketRateLimiter<T>(options: BucketRateLimiterOptions = {}): RateLimiter<T> {
  const qps = options.qps ?? DEFAULT_QPS;
  const burst = options.burst ?? DEFAULT_BURST;
  const clock = options.clock ?? realClock;
  if (!(qps > 0) || !(burst >= 1)) {
    throw new RangeError(`bucket rate limiter needs qps > 0 and burst >= 1, got ${qps} and ${burst}`);
  }
  let state: BucketState = { tokens: burst, at: clock.now() };
  return {
    when() {
      const r = reserveToken(state, clock.now(), qps, burst);
      state = r.state;
      return r.waitMs;
    },
    forget: () => undefined,
    numRequeues: () => 0,
  };
}

/** Waits as long as the slowest of `limiters`; every limiter records every failure. */
export function maxOfRateLimiters<T>(...limiters: RateLimiter<T>[]): RateLimiter<T> {
  return {
    when(item) {
      let wait = 0;
      for (const l of limiters) wait = Math.max(wait, l.when(item));
      return wait;
    },
    forget(item) {
      for (const l of limiters) l.forget(item);
    },
    numRequeues(item) {
      let n = 0;
      for (const l of limiters) n = Math.max(n, l.numRequeues(item));
      return n;
    },
  };
}

/** client-go's `DefaultControllerRateLimiter`: max(per-item 5 ms→1000 s, overall 10 qps/100). */
export function defaultControllerRateLimiter<T>(options: { clock?: Clock } = {}): RateLimiter<T> {
  return maxOfRateLimiters<T>(
    createExponentialRateLimiter<T>(),
    createBucketRateLimiter<T>({ clock: options.clock ?? realClock }),
  );
}
