/**
 * The `events.k8s.io/v1` Event as raw JSON, built by pure functions. Raw JSON because the generated
 * client serialises `eventTime` (a MicroTime) as a plain RFC 3339 time the API server rejects.
 *
 * The limits are the API server's validation (pkg/apis/core/validation/events.go): an Event that
 * breaks one is refused with 422, so every field is clamped here instead of losing the Event.
 */
import { apiVersionOf } from './resource.ts';
import type { Resource } from './resource.ts';
import type { KubeObject } from './store.ts';

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about (`regarding`) or relates to (`related`). */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventInput {
  type: EventType;
  /** UpperCamelCase, machine-readable: one of the product's reason constants. */
  reason: string;
  /** What was done or failed (`Backup`, `Rewrite`, `SyncPullSecret`). */
  action: string;
  /** Human-readable; truncated to the API's 1 KiB. */
  note?: string;
  related?: ObjectReference;
}

export interface EventSeries {
  /** Occurrences so far, the first one included (the API requires ≥ 2). */
  count: number;
  lastObservedTime: string;
}

export interface EventBody {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  note?: string;
  type: EventType;
  regarding: ObjectReference;
  related?: ObjectReference;
  series?: EventSeries;
}

export const EVENT_LIMITS = Object.freeze({
  /** Bytes of `note` (Go `len`, i.e. UTF-8 bytes). */
  noteBytes: 1024,
  /** Characters of `reason`, `action` and `reportingInstance`. */
  field: 128,
  /** A DNS subdomain, which an Event's name must be. */
  name: 253,
});

/** Events of cluster-scoped objects go to `default`, as client-go puts them. */
export const CLUSTER_EVENT_NAMESPACE = 'default';

/**
 * RFC 3339 with microseconds, as the API's MicroTime: `2026-12-02T04:42:10.123456Z`.
 * `epochMs` may carry a fraction of a millisecond.
 */
export function microTime(epochMs: number): string {
  const micros = Math.round(epochMs * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // …:10.123Z
  const extra = String(((micros % 1000) + 1000) % 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${extra}Z`;
}

/** The longest prefix of `s` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= maxBytes) return s;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * The reference to put in `regarding` for a cached object. Objects from an informer carry
 * `apiVersion` and `kind`; pass the `resource` for one that may not (a typed client's result).
 * Throws a TypeError when neither says what the object is.
 */
export function objectReference(obj: KubeObject, resource?: Resource): ObjectReference {
  const apiVersion = obj.apiVersion ?? (resource ? apiVersionOf(resource) : undefined);
  const kind = obj.kind ?? resource?.kind;
  if (!apiVersion || !kind) {
    throw new TypeError(`object ${obj.metadata.name} has no apiVersion/kind and no resource was given`);
  }
  const ref: ObjectReference = { apiVersion, kind, name: obj.metadata.name };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}

/** `input` with every field clamped to what the API accepts. */
export function clampEventInput(input: EventInput): EventInput {
  const out: EventInput = {
    type: input.type,
    reason: input.reason.slice(0, EVENT_LIMITS.field),
    action: input.action.slice(0, EVENT_LIMITS.field),
  };
  if (input.note) out.note = truncateUtf8(input.note, EVENT_LIMITS.noteBytes);
  if (input.related) out.related = input.related;
  return out;
}

/**
 * What makes two records "the same Event" for series aggregation: the regarding object's identity
 * (not its resourceVersion, which changes on every write of a hot loop), type, reason, action,
 * note and related object.
 */
export function eventKey(regarding: ObjectReference, e: EventInput): string {
  const id = (r: ObjectReference | undefined) =>
    r && [r.apiVersion, r.kind, r.namespace ?? '', r.name, r.uid ?? ''];
  return JSON.stringify([id(regarding), e.type, e.reason, e.action, e.note ?? '', id(e.related) ?? null]);
}

/**
 * `<regarding name>.<hex>` as client-go names Events; `unique` (client-go: the time in ns) tells
 * apart Events of one object. The name part is shortened so the whole stays a DNS subdomain.
 */
export function eventName(regardingName: string, unique: bigint): string {
  const suffix = `.${unique.toString(16)}`;
  return regardingName.slice(0, EVENT_LIMITS.name - suffix.length) + suffix;
}

export interface EventBodyOptions {
  name: string;
  eventTimeMs: number;
  reportingController: string;
  reportingInstance: string;
}

/** The body of the POST that creates the Event; `input` must already be clamped. */
export function eventBody(regarding: ObjectReference, input: EventInput, o: EventBodyOptions): EventBody {
  const body: EventBody = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: o.name, namespace: regarding.namespace || CLUSTER_EVENT_NAMESPACE },
    eventTime: microTime(o.eventTimeMs),
    reportingController: o.reportingController,
    reportingInstance: o.reportingInstance.slice(0, EVENT_LIMITS.field),
    action: input.action,
    reason: input.reason,
    type: input.type,
    regarding,
  };
  if (input.note) body.note = input.note;
  if (input.related) body.related = input.related;
  return body;
}
