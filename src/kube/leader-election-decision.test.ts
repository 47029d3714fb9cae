import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideLease, microTime, observe, releasedSpec } from './leader-election-decision.ts';
import type { Lease, LeaseSpec } from './leader-election-decision.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const lease = (spec: LeaseSpec, rv = '1'): Lease => ({
  metadata: { name: 'l', namespace: 'ns', resourceVersion: rv },
  spec,
});
const held = (holder: string, renewTime = microTime(T0), extra: LeaseSpec = {}) =>
  lease({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: microTime(T0 - 60_000),
    renewTime,
    leaseTransitions: 3,
    ...extra,
  });

describe('microTime', () => {
  it('has exactly six fractional digits, as the API server parses MicroTime', () => {
    assert.equal(microTime(Date.parse('2026-03-01T10:00:00.123Z')), '2026-03-01T10:00:00.123000Z');
    assert.equal(microTime(T0), '2026-03-01T10:00:00.000000Z');
  });
});

describe('decideLease', () => {
  it('creates an absent lease holding it, with no transitions', () => {
    const d = decideLease({
      lease: undefined,
      identity: 'me',
      now: T0,
      observation: undefined,
      leaseDurationSeconds: 15,
    });
    assert.deepEqual(d, {
      action: 'create',
      spec: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: microTime(T0),
        renewTime: microTime(T0),
        leaseTransitions: 0,
      },
    });
  });

  it('renews its own lease keeping acquireTime and transitions', () => {
    const current = held('me');
    const d = decideLease({
      lease: current,
      identity: 'me',
      now: T0 + 2_000,
      observation: undefined,
      leaseDurationSeconds: 15,
    });
    assert.equal(d.action, 'update');
    assert.ok(d.action === 'update');
    assert.equal(d.transition, false);
    assert.equal(d.spec.acquireTime, current.spec?.acquireTime);
    assert.equal(d.spec.renewTime, microTime(T0 + 2_000));
    assert.equal(d.spec.leaseTransitions, 3);
  });

  it('waits while another holder’s record keeps changing, judged by when we observed it', () => {
    const first = held('other');
    let obs = observe(undefined, first, T0);
    let d = decideLease({
      lease: first,
      identity: 'me',
      now: T0 + 14_000,
      observation: obs,
      leaseDurationSeconds: 15,
    });
    assert.deepEqual(d, { action: 'wait', holder: 'other', expiresAt: T0 + 15_000 });
    // The holder renews: a new record restarts the local clock even if its renewTime looks old (skew).
    const renewed = held('other', microTime(T0 - 3_600_000), {});
    renewed.metadata.resourceVersion = '2';
    obs = observe(obs, renewed, T0 + 14_500);
    d = decideLease({
      lease: renewed,
      identity: 'me',
      now: T0 + 20_000,
      observation: obs,
      leaseDurationSeconds: 15,
    });
    assert.deepEqual(d, { action: 'wait', holder: 'other', expiresAt: T0 + 29_500 });
  });

  it('takes over a lease unchanged for its duration, counting a transition', () => {
    const stale = held('other');
    const obs = observe(undefined, stale, T0);
    assert.equal(observe(obs, stale, T0 + 10_000), obs, 'an unchanged record keeps its first-seen time');
    const d = decideLease({
      lease: stale,
      identity: 'me',
      now: T0 + 15_000,
      observation: obs,
      leaseDurationSeconds: 10,
    });
    assert.equal(d.action, 'update');
    assert.ok(d.action === 'update');
    assert.equal(d.transition, true);
    assert.equal(d.spec.holderIdentity, 'me');
    assert.equal(d.spec.leaseTransitions, 4);
    assert.equal(d.spec.acquireTime, microTime(T0 + 15_000));
    assert.equal(d.spec.leaseDurationSeconds, 10, 'our own duration goes into the record');
  });

  it('never treats a lease seen for the first time as expired, whatever its renewTime says', () => {
    const ancient = held('other', microTime(T0 - 86_400_000));
    const d = decideLease({
      lease: ancient,
      identity: 'me',
      now: T0,
      observation: undefined,
      leaseDurationSeconds: 15,
    });
    assert.equal(d.action, 'wait');
  });

  it('takes a released lease (empty holder) at once', () => {
    const released = lease(releasedSpec(held('other').spec!, T0));
    assert.equal(released.spec?.holderIdentity, '');
    assert.equal(released.spec?.leaseDurationSeconds, 1);
    const d = decideLease({
      lease: released,
      identity: 'me',
      now: T0 + 1,
      observation: observe(undefined, released, T0 + 1),
      leaseDurationSeconds: 15,
    });
    assert.equal(d.action, 'update');
    assert.ok(d.action === 'update');
    assert.equal(d.spec.holderIdentity, 'me');
  });
});
