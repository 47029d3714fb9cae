/**
 * Jittered exponential backoff, as client-go's reflector uses it: the delay grows by `factor` from
 * `initialMs` up to `maxMs`, each delay gets up to `jitter` × itself added at random so that many
 * clients restarting together spread out, and the sequence starts over after `resetAfterMs` without
 * a failure (a long healthy stretch means the next failure is a new incident, not the same one).
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay added at random: 0 = none, 1 = up to double. */
  jitter: number;
  /** After this long without a call to `next`, start again from `initialMs`. */
  resetAfterMs: number;
  /** Returns a number in [0, 1). */
  random: () => number;
}

export interface Backoff {
  /** The delay before the next attempt after a failure observed at `now` (ms since epoch or any monotonic origin). */
  next(now: number): number;
  /** Start over from `initialMs` (call after a success that proves the incident is over). */
  reset(): void;
  /** Failures counted since the last reset. */
  readonly failures: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  // client-go reflector defaults: 800 ms doubling to 30 s, full jitter, reset after 2 min healthy.
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
  random: Math.random,
});

export function createBackoff(options: Partial<BackoffOptions> = {}): Backoff {
  const o: BackoffOptions = { ...DEFAULT_BACKOFF, ...options };
  let failures = 0;
  let lastAt: number | undefined;
  return {
    next(now: number): number {
      if (lastAt !== undefined && now - lastAt >= o.resetAfterMs) failures = 0;
      lastAt = now;
      const delay = backoffDelay(failures, o);
      failures++;
      return delay;
    },
    reset(): void {
      failures = 0;
      lastAt = undefined;
    },
    get failures(): number {
      return failures;
    },
  };
}

/** The jittered delay for the `attempt`-th retry (0-based), capped at `maxMs`. Pure given `random`. */
export function backoffDelay(
  attempt: number,
  o: Pick<BackoffOptions, 'initialMs' | 'maxMs' | 'factor' | 'jitter' | 'random'>,
): number {
  const base = Math.min(o.initialMs * o.factor ** attempt, o.maxMs);
  return Math.min(Math.round(base * (1 + o.jitter * o.random())), o.maxMs);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts.
 * The timer is cleared either way, so a pending sleep never holds the process open after abort.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
