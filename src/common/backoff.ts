/**
 * The one jittered exponential backoff of lifeboat: the informer's restarts (client-go's reflector),
 * the Kubernetes API client's retries, and the registry transport's and copy engine's retries.
 *
 * A delay is a step and a jitter:
 * - the step grows by `factor` from `initialMs`, and stops growing at `maxStepMs` (default `maxMs`);
 * - up to `jitter` × the step is added at random, so that many clients failing together spread out;
 * - the delay never exceeds `maxMs`.
 * With `maxStepMs` = `maxMs` (the kube callers) the jitter is clipped away at the cap, as client-go's
 * reflector does. With `maxStepMs` = `maxMs / 2` and `jitter` 1 (the registry) every delay is "equal
 * jitter": half fixed, half random, still spread out at the cap.
 *
 * `createBackoff` adds the state: consecutive failures count up, and the sequence starts over after
 * `resetAfterMs` without a failure (a long healthy stretch means the next failure is a new incident).
 */
export interface BackoffDelayOptions {
  initialMs: number;
  /** Cap of the delay, jitter included. */
  maxMs: number;
  /** Cap of the step before jitter; defaults to `maxMs`. */
  maxStepMs?: number | undefined;
  factor: number;
  /** Fraction of the step added at random: 0 = none, 1 = up to double. */
  jitter: number;
  /** Returns a number in [0, 1). */
  random: () => number;
}

export interface BackoffOptions extends BackoffDelayOptions {
  /** After this long without a call to `next`, start again from `initialMs`. */
  resetAfterMs: number;
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

/** The jittered delay for the `attempt`-th retry (0-based), as described above. Pure given `random`. */
export function backoffDelay(attempt: number, o: BackoffDelayOptions): number {
  const step = Math.min(o.initialMs * o.factor ** attempt, o.maxStepMs ?? o.maxMs);
  return Math.min(Math.round(step * (1 + o.jitter * o.random())), o.maxMs);
}
