/**
 * The pure part of Lease leader election (client-go `tryAcquireOrRenew` semantics).
 *
 * Expiry is judged on the local clock, never by comparing the lease's `renewTime` with our clock
 * (nodes' clocks differ): a lease is expired when its record has not changed for
 * `leaseDurationSeconds` since we first observed that record.
 */

/** `coordination.k8s.io/v1` LeaseSpec, as plain JSON. Times are MicroTime strings. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  spec?: LeaseSpec;
}

/** What we remember of the record last read, and when we first saw it (local clock, ms). */
export interface Observation {
  /** holderIdentity + renewTime + resourceVersion: any change means the holder is alive. */
  fingerprint: string;
  observedAt: number;
}

export type LeaseDecision =
  | { action: 'create'; spec: LeaseSpec }
  | { action: 'update'; spec: LeaseSpec; transition: boolean }
  | { action: 'wait'; holder: string; expiresAt: number };

export interface DecideInput {
  /** The lease as read now; undefined when it does not exist. */
  lease: Lease | undefined;
  identity: string;
  now: number;
  /** The observation before this read (updated and returned by `observe`). */
  observation: Observation | undefined;
  /** Our own lease duration, written into the record we hold. */
  leaseDurationSeconds: number;
}

export function fingerprint(lease: Lease): string {
  const s = lease.spec ?? {};
  return JSON.stringify([s.holderIdentity ?? '', s.renewTime ?? '', lease.metadata.resourceVersion ?? '']);
}

/** The observation after reading `lease` at `now`: unchanged records keep their first-seen time. */
export function observe(previous: Observation | undefined, lease: Lease, now: number): Observation {
  const fp = fingerprint(lease);
  return previous?.fingerprint === fp ? previous : { fingerprint: fp, observedAt: now };
}

/** MicroTime as the API server requires it: exactly six fractional digits, UTC. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Decides what to do with the lease as read. Pure.
 * - absent → create it holding it;
 * - held by us → renew (same acquireTime and transitions);
 * - free (empty holder, as left by a release) or expired by local observation → take it over
 *   (transitions + 1);
 * - otherwise wait; `expiresAt` says when it would expire if nothing changes.
 */
export function decideLease(input: DecideInput): LeaseDecision {
  const { lease, identity, now } = input;
  const nowTime = microTime(now);
  if (lease === undefined) {
    return {
      action: 'create',
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: input.leaseDurationSeconds,
        acquireTime: nowTime,
        renewTime: nowTime,
        leaseTransitions: 0,
      },
    };
  }
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  const transitions = spec.leaseTransitions ?? 0;
  if (holder === identity) {
    return {
      action: 'update',
      transition: false,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: input.leaseDurationSeconds,
        acquireTime: spec.acquireTime ?? nowTime,
        renewTime: nowTime,
        leaseTransitions: transitions,
      },
    };
  }
  if (holder !== '') {
    const observedAt =
      input.observation?.fingerprint === fingerprint(lease) ? input.observation.observedAt : now;
    const durationMs = (spec.leaseDurationSeconds ?? input.leaseDurationSeconds) * 1000;
    const expiresAt = observedAt + durationMs;
    if (now < expiresAt) return { action: 'wait', holder, expiresAt };
  }
  return {
    action: 'update',
    transition: true,
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: input.leaseDurationSeconds,
      acquireTime: nowTime,
      renewTime: nowTime,
      leaseTransitions: transitions + 1,
    },
  };
}

/** The spec that gives the lease up at once: empty holder, so the next candidate takes it without waiting. */
export function releasedSpec(current: LeaseSpec, now: number): LeaseSpec {
  const t = microTime(now);
  return { ...current, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: t, renewTime: t };
}
