// "Once per workload generation" for the Events that describe a state rather than an action
// (InvalidImageReference, RewriteReverted, BackupAccessDenied, the dry run's report): a workload
// in such a state is reconciled again on every status update of its own (a rollout) and on each
// recheck, and the same Event each time would be a series PATCH each time.
//
// The key holds the workload's uid and generation, so a new generation (or a re-created workload)
// reports again by itself, and nothing is removed by hand when a workload goes: the set is bounded
// and forgets the least recently reported first. Forgetting one only means the Event may be
// recorded again, which the Event recorder then counts into its series.
export interface ReportOnce {
  /** True the first time (`uid`, `generation`, `reason`) is asked; false after. */
  first(uid: string, generation: number, reason: string): boolean;
}

export const REPORT_ONCE_DEFAULTS = Object.freeze({
  /** About 100 bytes each: 1 MB for as many workloads in a reported state as the largest benchmark. */
  maxEntries: 10_000,
});

export function createReportOnce(o: { maxEntries?: number } = {}): ReportOnce {
  const maxEntries = o.maxEntries ?? REPORT_ONCE_DEFAULTS.maxEntries;
  const seen = new Set<string>();
  return {
    first(uid, generation, reason) {
      const key = `${uid}/${generation}/${reason}`;
      if (seen.has(key)) return false;
      seen.add(key);
      // A Set iterates in insertion order: the first entry is the oldest.
      if (seen.size > maxEntries) seen.delete(seen.values().next().value as string);
      return true;
    },
  };
}
