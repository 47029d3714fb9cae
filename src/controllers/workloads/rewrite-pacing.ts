// `--max-rewrites-per-minute` (issue 18): each rewrite is a rollout, so the first install must not
// roll every workload of the cluster at once. One token bucket (src/common/token-bucket.ts, the
// arithmetic of Go's `rate.Limiter.Reserve`) is shared by the workload controller's workers: `rate`
// rewrites a minute, with a burst of `rate`, so a cluster with fewer eligible workloads than that
// converges at once and a large one is spread out.
//
// Promises:
// - A workload whose decision is `rewrite` takes a token; when the bucket is empty it RESERVES the
//   next free one and is told to come back when that token exists (the controller's requeue-after).
//   It then goes without asking again: each waiting workload is reconciled twice, not polled, and
//   waiting workloads are served in the order they asked. (A token is spent per rewrite attempt: a
//   patch that loses a race or a registry check that holds it back has still spent one, so the
//   rate bounds rollouts from above.)
// - A reservation is given back (the token returns to the bucket) when the workload no longer needs
//   it: its next reconcile decides something else, or finds it gone. Every reserved key is in the
//   queue for its wait, so each reservation is settled by a reconcile: nothing is left behind.
// - `due()` is the number of reservations: workloads ready to be rewritten, waiting for the bucket;
//   `lifeboat_workloads_rewrite_due` (metrics.ts) reports it at scrape time. Reconciles run on the
//   leader only, so followers report 0.
// - `rate` 0: unlimited, nothing is reserved, `due()` is 0.
import { reserveToken, type BucketState } from '../../common/token-bucket.ts';

export interface RewritePacing {
  /**
   * For a workload whose decision is `rewrite`: 0 when it may be rewritten now (its token is
   * taken), else how long (ms) until its reserved token exists; it should come back then.
   */
  admit(key: string): number;
  /** The workload no longer waits to be rewritten (decided otherwise, gone): its token goes back. */
  release(key: string): void;
  /** Workloads holding a reservation: ready to be rewritten, waiting for the bucket. */
  due(): number;
}

export interface RewritePacingOptions {
  /** `--max-rewrites-per-minute`; 0: unlimited. */
  readonly perMinute: number;
  readonly now?: () => number;
}

export function createRewritePacing(o: RewritePacingOptions): RewritePacing {
  return o.perMinute > 0 ? tokenPacing(o.perMinute, o.now ?? Date.now) : UNLIMITED;
}

const UNLIMITED: RewritePacing = { admit: () => 0, release: () => undefined, due: () => 0 };

function tokenPacing(perMinute: number, now: () => number): RewritePacing {
  const qps = perMinute / 60;
  const burst = perMinute;
  let bucket: BucketState = { tokens: burst, at: now() };
  /** Key → when its reserved token exists (ms). */
  const reserved = new Map<string, number>();
  return {
    admit(key) {
      const t = now();
      const at = reserved.get(key);
      if (at !== undefined) {
        if (t < at) return at - t; // enqueued early by an event: keep the place, come back then
        reserved.delete(key);
        return 0;
      }
      const r = reserveToken(bucket, t, qps, burst);
      bucket = r.state;
      if (r.waitMs > 0) reserved.set(key, t + r.waitMs);
      return r.waitMs;
    },
    release(key) {
      if (!reserved.delete(key)) return;
      bucket = { tokens: Math.min(burst, bucket.tokens + 1), at: bucket.at };
    },
    due: () => reserved.size,
  };
}
