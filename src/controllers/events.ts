/**
 * What a controller needs of an event recorder: one fire-and-forget call. Narrow on purpose, so a
 * reconciler's unit test passes a list-backed fake and the process passes the rate-limited,
 * series-aggregating recorder of src/kube.
 */
export interface EventRegarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventDetails {
  type: 'Normal' | 'Warning';
  /** One of EVENT_REASONS. */
  reason: string;
  /** What lifeboat was doing: `Distribute`, `Validate`, `Copy`, `Rewrite`. */
  action: string;
  note: string;
}

export interface EventSink {
  /** Never throws, never blocks the caller. */
  record(regarding: EventRegarding, event: EventDetails): void;
}

export { EVENT_REASONS } from './event-reasons.ts';
