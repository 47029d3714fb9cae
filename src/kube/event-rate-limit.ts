/**
 * The Event recorder's spam filter: a token bucket per regarding object (client-go's
 * EventSourceObjectSpamFilter) and one for the whole recorder. Unlike the API client's bucket, it
 * never waits: an Event over either limit is dropped, so a hot loop costs the API server nothing.
 */
import { reserveToken } from '../common/token-bucket.ts';
import type { BucketState } from '../common/token-bucket.ts';

export interface DropBucketOptions {
  /** Events allowed at once after a quiet period. */
  burst: number;
  /** One more Event is allowed every `refillMs`. */
  refillMs: number;
}

export interface EventRateLimitOptions {
  perObject: DropBucketOptions;
  global: DropBucketOptions;
  /** Buckets kept at most (least recently used are forgotten, i.e. refilled). */
  maxObjects: number;
}

export interface EventRateLimiter {
  /** Takes a token from `object`'s bucket and the global one at `now` (ms); false = drop. */
  allow(object: string, now: number): boolean;
  /** Takes a token from the global bucket only (series updates of admitted Events). */
  allowGlobal(now: number): boolean;
}

/** Takes one token if there is one; `undefined` (and nothing taken) otherwise. Pure. */
function take(state: BucketState, now: number, o: DropBucketOptions): BucketState | undefined {
  const r = reserveToken(state, now, 1000 / o.refillMs, o.burst);
  return r.waitMs === 0 ? r.state : undefined;
}

export function createEventRateLimiter(o: EventRateLimitOptions): EventRateLimiter {
  const objects = new Map<string, BucketState>();
  let global: BucketState | undefined;
  const full = (burst: number, now: number): BucketState => ({ tokens: burst, at: now });
  return {
    allow(object, now) {
      const own = take(objects.get(object) ?? full(o.perObject.burst, now), now, o.perObject);
      const all = take(global ?? full(o.global.burst, now), now, o.global);
      // Both or neither: a token is spent only on an Event that is actually sent.
      if (own === undefined || all === undefined) return false;
      objects.delete(object); // re-inserted last: the Map's order is least recently used first
      objects.set(object, own);
      if (objects.size > o.maxObjects) objects.delete(objects.keys().next().value as string);
      global = all;
      return true;
    },
    allowGlobal(now) {
      const all = take(global ?? full(o.global.burst, now), now, o.global);
      if (all === undefined) return false;
      global = all;
      return true;
    },
  };
}
