// Retry timing: jittered exponential backoff, and Retry-After (delta-seconds or HTTP date) bounded by a
// maximum so a registry cannot park a copy for an hour. Pure functions; the transport sleeps. The
// backoff and the Retry-After reader are the common ones (src/common), shared with the kube client.
import { backoffDelay } from '../../common/backoff.ts';

export interface RetryPolicy {
  /** Total tries including the first (1 = no retry). */
  readonly attempts: number;
  /** Backoff before the first retry; doubles per retry. */
  readonly baseMs: number;
  /** Cap of one backoff delay. */
  readonly maxMs: number;
  /** Cap of a Retry-After wait. */
  readonly maxRetryAfterMs: number;
}

/**
 * The registry client's retry timing, and the copy engine's for restarting a streamed upload (which
 * the transport cannot replay). ggcr tries 3 times; one more absorbs a 429 with Retry-After followed
 * by a 503.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 4,
  baseMs: 250,
  maxMs: 8_000,
  maxRetryAfterMs: 60_000,
});

/** The wait before retry number `retry` (1-based): Retry-After when the server gave one (bounded), else backoff. */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  // "Equal jitter": the ceiling doubles per retry up to maxMs; half of it is fixed and half random,
  // so retries from many workers spread out, even at the cap, but never collapse to zero.
  return backoffDelay(Math.max(0, retry - 1), {
    initialMs: policy.baseMs / 2,
    factor: 2,
    maxStepMs: policy.maxMs / 2,
    maxMs: policy.maxMs,
    jitter: 1,
    random,
  });
}
