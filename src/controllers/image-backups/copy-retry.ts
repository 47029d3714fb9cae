/**
 * When a failed copy is tried again (SPEC §1.4): 5 s doubling to 5 min, jittered. It is the
 * controller's own rate limiter (`createController({ rateLimiter })`): a failed attempt returns
 * `requeue: 'rateLimited'` and the queue keeps the backoff per backup; a plain success forgets it.
 * Temporary and permanent errors alike are retried: a Secret may be added, the source fixed.
 *
 * One difference from a plain exponential limiter: while a backup's delay is still running, asking
 * again (a reconcile woken by an unrelated event, which must not copy yet and so returns
 * `rateLimited` too) gets the time left, not a longer delay. Only a request after the delay ran out
 * — the next failure — counts as one more failure. `due` tells the reconcile whether a Failed
 * backup may be copied now. The backoff lives in memory: a new leader tries each Failed backup once.
 */
import { backoffDelay } from '../../common/backoff.ts';
import type { RateLimiter } from '../../kube/index.ts';

export interface CopyBackoff {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Cap of every delay: a fixed source is picked up within this long. */
  readonly maxMs: number;
}

export const COPY_BACKOFF: CopyBackoff = Object.freeze({
  // A registry blip is over in seconds; a missing credential or a broken image needs a person, so
  // the delay doubles up to 5 minutes (SPEC: never a hot loop, and a fixed source is retried soon).
  initialMs: 5_000,
  maxMs: 300_000,
});

/**
 * The delay before attempt `failures + 1` after `failures` consecutive failures (≥ 1): doubling
 * from `initialMs`, plus up to half of it at random so failures of many backups at once (a registry
 * down) spread out, never above `maxMs`.
 */
export function copyBackoffDelay(
  failures: number,
  policy: CopyBackoff,
  random: () => number = Math.random,
): number {
  return backoffDelay(Math.max(0, failures - 1), {
    initialMs: policy.initialMs,
    maxMs: policy.maxMs,
    factor: 2,
    jitter: 0.5,
    random,
  });
}

export interface CopyRetryLimiter extends RateLimiter<string> {
  /** Whether `name` may be copied now: no delay is running for it. */
  due(name: string): boolean;
}

export function createCopyRetryLimiter(
  policy: CopyBackoff = COPY_BACKOFF,
  o: { readonly now?: () => number; readonly random?: () => number } = {},
): CopyRetryLimiter {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  /** Per backup: failures in a row and when the delay of the last one runs out. Dropped by `forget`. */
  const state = new Map<string, { readonly failures: number; readonly dueAt: number }>();
  return {
    when(name) {
      const t = now();
      const s = state.get(name);
      if (s !== undefined && s.dueAt > t) return s.dueAt - t;
      const failures = (s?.failures ?? 0) + 1;
      const delay = copyBackoffDelay(failures, policy, random);
      state.set(name, { failures, dueAt: t + delay });
      return delay;
    },
    forget: (name) => void state.delete(name),
    numRequeues: (name) => state.get(name)?.failures ?? 0,
    due: (name) => (state.get(name)?.dueAt ?? -Infinity) <= now(),
  };
}
