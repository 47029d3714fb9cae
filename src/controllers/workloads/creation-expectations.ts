// client-go's ControllerExpectations, for creates only: the names of ImageBackups this process has
// POSTed and its cache has not shown yet. Two workloads of one new image are reconciled by two
// workers; the second finds the backup missing from the cache only because the first's create has
// not come back through the watch. It waits for the cache (the backup's Add event enqueues it
// through the backup-name index) instead of POSTing again and losing the race.
//
// Invariants:
// - `expect` is called in the same synchronous turn as the decision that saw the name missing, before
//   the create is awaited: no other worker can decide in between.
// - An expectation ends when the cache shows the object (`observed`, from the informer's Add), when
//   the create fails (`observed` too: nothing is coming), or after `ttlMs` (a watch event lost or
//   the object deleted at once): then the name may be created again. So memory is bounded by the
//   creates of the last `ttlMs`, and nothing needs cleaning by hand.
import { realClock, type Clock } from '../../kube/index.ts';

export interface CreationExpectations {
  /** True while `name` was created by this process and the cache has not shown it (nor expired). */
  has(name: string): boolean;
  /** About to create `name`. */
  expect(name: string): void;
  /** The cache shows `name`, or its create failed: stop waiting for it. */
  observed(name: string): void;
}

export const CREATION_EXPECTATIONS_DEFAULTS = Object.freeze({
  /** client-go waits 5 min; a watch delivers an Add within a second, so one minute is ample. */
  ttlMs: 60_000,
});

export function createCreationExpectations(o: { ttlMs?: number; clock?: Clock } = {}): CreationExpectations {
  const ttlMs = o.ttlMs ?? CREATION_EXPECTATIONS_DEFAULTS.ttlMs;
  const clock = o.clock ?? realClock;
  /** name → when it expires; in insertion order, which with one ttl is expiry order. */
  const pending = new Map<string, number>();
  const sweep = (now: number): void => {
    for (const [name, expires] of pending) {
      if (expires > now) return;
      pending.delete(name);
    }
  };
  return {
    has(name) {
      sweep(clock.now());
      return pending.has(name);
    },
    expect(name) {
      const now = clock.now();
      sweep(now);
      pending.delete(name);
      pending.set(name, now + ttlMs);
    },
    observed: (name) => void pending.delete(name),
  };
}
