import type { Registry } from 'prom-client';
import { perRegistry } from '../common/metric-families.ts';

/**
 * Whether the process reporting into a Registry holds the leader-election lease, for the gauges that
 * count objects from the informer caches (ImageBackups, workloads, namespaces).
 *
 * Every replica syncs the same caches, so if each exported those counts a plain `sum()` over the
 * replicas would count every object once per replica. Only the leader exports them: a follower's
 * object-count gauges have no samples at all (zeros would still mislead a `min()` or an `== 0`
 * alert).
 *
 * Invariant: true unless leader election runs. A process without election (one replica, `lifeboat
 * dev`, a dry run) is the only one counting, so it exports; the manager sets false before it starts
 * campaigning and true only while it leads.
 */
export interface Leadership {
  leading: boolean;
}

export const leadershipOf: (registry: Registry) => Leadership = perRegistry(() => ({ leading: true }));

/**
 * For a gauge's `collect()`: true when it should export, else clears what it exported as leader
 * (a replica that lost the lease must not keep showing its last counts).
 */
export function exportsObjectCounts(registry: Registry, gauge: { reset(): void }): boolean {
  if (leadershipOf(registry).leading) return true;
  gauge.reset();
  return false;
}

/** `work` (an elector's onStartedLeading) with `leadership.leading` true while it runs. */
export function whileLeading(
  leadership: Leadership,
  work: (signal: AbortSignal) => Promise<void>,
): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    leadership.leading = true;
    try {
      await work(signal);
    } finally {
      leadership.leading = false;
    }
  };
}
