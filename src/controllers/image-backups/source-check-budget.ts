/**
 * The per-registry request budget of source checks (`--source-check-qps`, issue 15 item 3): one
 * token bucket per source registry host (common/token-bucket.ts's arithmetic), burst 1, so at most
 * `qps` HEADs per second reach any one registry however many checks fall due together.
 * A worker never sleeps on the budget (it would hold a copy slot): a check that must wait reserves
 * its turn and is requeued for when it comes; that reservation is kept per backup, so the next
 * reconcile of it goes ahead without taking a second token. A check that tries a second login
 * (the first was refused) takes one more token and waits for it: every HEAD counts. A registry that answered 429 is paused
 * until its Retry-After ran out: every check of it waits, none counts the source as gone.
 * Memory: one bucket per host and one reservation per waiting backup, dropped when used.
 */
import { reserveToken, type BucketState } from '../../common/token-bucket.ts';

export interface SourceCheckBudget {
  /** 0 when `name` may HEAD `host` now (its token is taken), else the ms to wait first. */
  take(host: string, name: string): number;
  /**
   * One more request to `host` within a check already under way (the next login after a refusal):
   * its token is taken now, in debt if need be; the ms to wait before sending it.
   */
  reserve(host: string): number;
  /** `host` answered 429: nothing more for it until `ms` from now. */
  pause(host: string, ms: number): void;
  /** Backups with a reservation (tests). */
  readonly waiting: number;
}

export function createSourceCheckBudget(qps: number, now: () => number = Date.now): SourceCheckBudget {
  const buckets = new Map<string, BucketState>();
  const pausedUntil = new Map<string, number>();
  /** name → the host and when its reserved turn comes. */
  const reserved = new Map<string, { readonly host: string; readonly turn: number }>();
  const burst = 1;
  return {
    take(host, name) {
      const t = now();
      const paused = (pausedUntil.get(host) ?? 0) - t;
      if (paused > 0) return paused;
      const turn = reserved.get(name)?.turn;
      if (turn !== undefined) {
        if (turn <= t) {
          reserved.delete(name);
          return 0;
        }
        return turn - t;
      }
      if (!(qps > 0)) return 0;
      const r = reserveToken(buckets.get(host) ?? { tokens: burst, at: t }, t, qps, burst);
      buckets.set(host, r.state);
      if (r.waitMs > 0) reserved.set(name, { host, turn: t + r.waitMs });
      return r.waitMs;
    },
    reserve(host) {
      const t = now();
      const paused = Math.max(0, (pausedUntil.get(host) ?? 0) - t);
      if (!(qps > 0)) return paused;
      const r = reserveToken(buckets.get(host) ?? { tokens: burst, at: t }, t, qps, burst);
      buckets.set(host, r.state);
      return Math.max(paused, r.waitMs);
    },
    pause(host, ms) {
      const until = now() + ms;
      if (until > (pausedUntil.get(host) ?? 0)) pausedUntil.set(host, until);
      // Reservations made before the pause would all fire at its end: they take new turns then.
      for (const [name, r] of reserved) if (r.host === host) reserved.delete(name);
      buckets.delete(host);
    },
    get waiting() {
      return reserved.size;
    },
  };
}
