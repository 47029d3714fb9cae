import { sleep as defaultSleep } from './backoff.ts';

/**
 * Client-side token bucket shared by every call of one API client, as client-go's `rest.Config`
 * QPS/Burst: up to `burst` calls go out at once, then `qps` per second. Callers are served in the
 * order they asked (each reserves its token synchronously, possibly going into debt, and sleeps off
 * the debt), so a storm of calls is spread out rather than retried in a busy loop.
 */
export interface RateLimiter {
  /** Resolves when the caller may send; rejects with the signal's reason if it aborts first. */
  wait(signal?: AbortSignal): Promise<void>;
}

export interface TokenBucketOptions {
  /** Sustained calls per second; 0 or less disables limiting. */
  qps: number;
  /** Calls allowed at once after an idle period. */
  burst: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BucketState {
  /** May be negative: tokens already promised to waiting callers. */
  tokens: number;
  /** When `tokens` was last computed (ms). */
  at: number;
}

/** Takes one token at `now`; returns the new state and how long the caller must wait. Pure. */
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

export function createTokenBucket(options: TokenBucketOptions): RateLimiter {
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
