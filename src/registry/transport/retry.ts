// Retry timing: jittered exponential backoff, and Retry-After (delta-seconds or HTTP date) bounded by a
// maximum so a registry cannot park a copy for an hour. Pure functions; the transport sleeps.

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

/**
 * Milliseconds a Retry-After value asks for, or undefined when absent or unreadable. A date in the
 * past means "now" (0).
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only HTTP dates (they name a weekday/month): Date.parse would read "-1" as a year.
  if (!/[a-z]/i.test(v)) return undefined;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `retry` (1-based): "equal jitter", half fixed and half random, so
 * retries from many workers spread out but never collapse to zero.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The wait before a retry: Retry-After when the server gave one (bounded), else backoff. */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(retry, policy, random);
}
