import { sleep as defaultSleep, type Sleep } from './sleep.ts';

/**
 * The one token bucket of lifeboat, with Go's `rate.Limiter.Reserve` semantics: up to `burst` takes
 * go through at once, then `qps` per second. Each take reserves its token at once, going into debt
 * when the bucket is empty, and is told how long to wait until the debt is repaid; so callers are
 * served in the order they asked, and a storm is spread out rather than retried in a busy loop.
 *
 * `reserveToken` is the pure arithmetic; the Kubernetes workqueue's overall retry limiter uses it as
 * is (it returns the wait as a delay), and `createTokenBucket` sleeps the wait off (the Kubernetes
 * API client's `rest.Config` QPS/Burst).
 */
export interface BucketState {
  /** May be negative: tokens already promised to waiting callers. */
  tokens: number;
  /** When `tokens` was last computed (ms). */
  at: number;
}

/**
 * Takes one token at `now`; returns the new state and how long the caller must wait, rounded up to
 * a whole millisecond so that a waiter never wakes before its token exists. Pure. Needs `qps` > 0.
 */
export function reserveToken(
  state: BucketState,
  now: number,
  qps: number,
  burst: number,
): { state: BucketState; waitMs: number } {
  const elapsed = Math.max(0, now - state.at);
  const refilled = Math.min(burst, state.tokens + (elapsed / 1000) * qps);
  const tokens = refilled - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
  return { state: { tokens, at: now }, waitMs };
}

/** A token bucket shared by every caller of one client. */
export interface TokenBucket {
  /** Resolves when the caller may send; rejects with the signal's reason if it aborts first. */
  wait(signal?: AbortSignal): Promise<void>;
}

export interface TokenBucketOptions {
  /** Sustained takes per second; 0 or less disables limiting. */
  qps: number;
  /** Takes allowed at once after an idle period. */
  burst: number;
  now?: () => number;
  sleep?: Sleep;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  if (!(options.qps > 0)) {
    return {
      wait: (signal) => (signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve()),
    };
  }
  const burst = Math.max(1, options.burst);
  let state: BucketState = { tokens: burst, at: now() };
  return {
    wait(signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      const r = reserveToken(state, now(), options.qps, burst);
      state = r.state;
      if (r.waitMs === 0) return Promise.resolve();
      return sleep(r.waitMs, signal).catch((err: unknown) => {
        // The caller gave up: hand its token back to whoever asks next.
        state = { tokens: Math.min(burst, state.tokens + 1), at: state.at };
        throw err;
      });
    },
  };
}
