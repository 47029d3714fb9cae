import type { Clock, TimerHandle } from './clock.ts';

/**
 * A {@link Clock} whose time moves only when told to, for tests of anything that waits.
 *
 * Timers fire synchronously inside {@link FakeClock.step}, in deadline order (ties in the order
 * they were set), with `now()` equal to each timer's deadline while it runs. A timer set by a
 * firing timer fires within the same step if its deadline falls inside it.
 */
export interface FakeClock extends Clock {
  /** Advances time by `ms`, firing every timer that falls due. */
  step(ms: number): void;
  /** Number of timers set and not yet fired or cleared. */
  pendingTimers(): number;
  /** Deadline of the earliest pending timer, or undefined when none is pending. */
  nextDeadline(): number | undefined;
}

interface FakeTimer {
  readonly id: number;
  readonly deadline: number;
  readonly fn: () => void;
}

export function createFakeClock(startMs = 0): FakeClock {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();

  const earliest = (): FakeTimer | undefined => {
    let best: FakeTimer | undefined;
    for (const t of timers.values()) {
      // Map iteration follows insertion order, so `<` keeps the first-set timer on ties.
      if (best === undefined || t.deadline < best.deadline) best = t;
    }
    return best;
  };

  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const id = nextId++;
      timers.set(id, { id, deadline: now + Math.max(ms, 0), fn });
      return id;
    },
    clearTimeout(handle: TimerHandle): void {
      if (typeof handle === 'number') timers.delete(handle);
    },
    step(ms: number): void {
      if (!(ms >= 0)) throw new RangeError(`fake clock cannot step by ${ms} ms`);
      const target = now + ms;
      for (let t = earliest(); t !== undefined && t.deadline <= target; t = earliest()) {
        timers.delete(t.id);
        now = Math.max(now, t.deadline);
        t.fn();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
    nextDeadline: () => earliest()?.deadline,
  };
}
