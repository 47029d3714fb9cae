/**
 * An `EventRecorder` for unit tests of controllers: it keeps what was recorded, in order, and
 * sends nothing. Assert on `events` (as sample-controller's tests assert on recorded actions).
 * Unlike the real recorder it throws on an object without apiVersion/kind, which the real one
 * would drop: a test should catch that mistake.
 */
import { objectReference } from './event-body.ts';
import type { EventInput, ObjectReference } from './event-body.ts';
import type { EventRecorder } from './event-recorder.ts';

export interface RecordedEvent extends EventInput {
  regarding: ObjectReference;
}

export interface FakeEventRecorder extends EventRecorder {
  /** Every `record` call so far, unaggregated and unlimited. */
  readonly events: RecordedEvent[];
}

export function createFakeEventRecorder(): FakeEventRecorder {
  const events: RecordedEvent[] = [];
  return {
    events,
    record(regarding, event) {
      events.push({ ...event, regarding: 'metadata' in regarding ? objectReference(regarding) : regarding });
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
