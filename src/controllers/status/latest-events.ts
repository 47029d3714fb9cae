// The latest Event lifeboat recorded about each workload: what `lifeboat status` learns only from
// Events (a private source this namespace cannot read, a patch that lost a race). Pure: the caller
// lists `events.k8s.io/v1` Events; this keeps lifeboat's own about workloads, newest per workload.
import { EventReasons, type EventReason } from '../api/event-reasons.ts';
import { workloadKey } from '../api/workload-resources.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../api/workload-types.ts';

/** The fields read of an `events.k8s.io/v1` Event, as the API server serves it. */
export interface EventLike {
  readonly metadata?: { readonly creationTimestamp?: string | undefined } | undefined;
  readonly reason?: string | undefined;
  readonly note?: string | undefined;
  readonly reportingController?: string | undefined;
  readonly eventTime?: string | null | undefined;
  readonly series?: { readonly lastObservedTime?: string | undefined } | undefined;
  readonly deprecatedLastTimestamp?: string | undefined;
  readonly regarding?:
    | {
        readonly kind?: string | undefined;
        readonly namespace?: string | undefined;
        readonly name?: string | undefined;
        readonly uid?: string | undefined;
      }
    | undefined;
}

/** One workload's latest Event from lifeboat, reduced to what status reads. */
export interface WorkloadEvent {
  readonly reason: EventReason;
  readonly note: string;
  /** The workload incarnation it was about; an Event of a deleted namesake does not count. */
  readonly uid: string | undefined;
  /** Epoch ms of its last occurrence. */
  readonly at: number;
}

/** The reasons recorded on workloads (the others are about ImageBackups or namespaces). */
const WORKLOAD_REASONS: ReadonlySet<string> = new Set<EventReason>([
  EventReasons.ImagesMovedToBackup,
  EventReasons.RewriteConflict,
  EventReasons.RewriteReverted,
  EventReasons.BackupAccessDenied,
  EventReasons.PrivateSourceSkipped,
  EventReasons.InvalidImageReference,
  EventReasons.WouldBackUp,
  EventReasons.WouldRewrite,
]);

/** When it last happened: a series' last observation, else its time, else when it was stored. */
function lastSeen(event: EventLike): number {
  for (const time of [
    event.series?.lastObservedTime,
    event.eventTime,
    event.deprecatedLastTimestamp,
    event.metadata?.creationTimestamp,
  ]) {
    const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  return 0;
}

/**
 * `workloadKey` → the newest Event `reportingController` recorded about that workload with a
 * workload reason. Ties keep the first listed.
 */
export function latestWorkloadEvents(
  events: readonly EventLike[],
  reportingController: string,
): Map<string, WorkloadEvent> {
  const latest = new Map<string, WorkloadEvent>();
  for (const event of events) {
    const { regarding, reason } = event;
    if (event.reportingController !== reportingController) continue;
    if (reason === undefined || !WORKLOAD_REASONS.has(reason)) continue;
    const kind = WORKLOAD_KINDS.find((k: WorkloadKind) => k === regarding?.kind);
    if (kind === undefined || !regarding?.namespace || !regarding.name) continue;
    const key = workloadKey(kind, regarding.namespace, regarding.name);
    const at = lastSeen(event);
    const seen = latest.get(key);
    if (seen !== undefined && seen.at >= at) continue;
    latest.set(key, { reason: reason as EventReason, note: event.note ?? '', uid: regarding.uid, at });
  }
  return latest;
}
