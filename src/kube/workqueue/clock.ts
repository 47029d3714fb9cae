/**
 * Time as the workqueue, rate limiters and controller see it.
 *
 * Every component that waits or measures takes a `Clock` so tests can step time with
 * `createFakeClock()` instead of sleeping. Times are milliseconds on a monotonic scale: only
 * differences between two `now()` readings mean anything.
 */

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = object | number;

export interface Clock {
  /** Monotonic milliseconds; never goes backwards. */
  now(): number;
  /** Calls `fn` once, no earlier than `ms` milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for a timer that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Node's timers cannot wait longer than 2^31-1 ms (about 24.8 days); a longer delay fires at once.
 * Callers that wait longer re-arm when the shorter timer fires.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** The process clock: `performance.now()` (monotonic) and Node's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_DELAY_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
