import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EVENT_LIMITS,
  clampEventInput,
  eventKey,
  eventName,
  microTime,
  objectReference,
  truncateUtf8,
} from './event-body.ts';
import { RESOURCES } from './resource.ts';

describe('event body', () => {
  it('formats MicroTime with six fractional digits', () => {
    assert.equal(microTime(Date.UTC(2026, 11, 2, 4, 42, 10, 123) + 0.456), '2026-12-02T04:42:10.123456Z');
    assert.equal(microTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z');
    assert.equal(microTime(Date.UTC(2026, 0, 1) + 999.9999), '2026-01-01T00:00:01.000000Z', 'rounds up');
  });

  it('truncates to a byte budget without splitting a UTF-8 character', () => {
    assert.equal(truncateUtf8('abc', 3), 'abc');
    assert.equal(truncateUtf8('abcd', 3), 'abc');
    assert.equal(truncateUtf8('aé', 2), 'a', 'é is 2 bytes: dropped whole');
    assert.equal(truncateUtf8('a😀b', 4), 'a', 'a 4-byte character that does not fit');
    assert.equal(truncateUtf8('a😀b', 5), 'a😀');
    const note = clampEventInput({ type: 'Warning', reason: 'R', action: 'A', note: 'é'.repeat(600) }).note!;
    assert.equal(Buffer.byteLength(note), EVENT_LIMITS.noteBytes);
    assert.equal(note, 'é'.repeat(512));
  });

  it('clamps reason and action to 128 characters and keeps names DNS-subdomain length', () => {
    const e = clampEventInput({ type: 'Normal', reason: 'R'.repeat(200), action: 'A'.repeat(200) });
    assert.equal(e.reason.length, 128);
    assert.equal(e.action.length, 128);
    const name = eventName('x'.repeat(253), 0xabcn);
    assert.equal(name.length, 253);
    assert.ok(name.endsWith('.abc'));
  });

  it('references an object by its own apiVersion/kind, or the resource, or refuses', () => {
    const meta = { name: 'd', namespace: 'ns', uid: 'u' };
    assert.deepEqual(objectReference({ metadata: meta }, RESOURCES.deployments), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'd',
      namespace: 'ns',
      uid: 'u',
    });
    assert.equal(objectReference({ apiVersion: 'v1', kind: 'Pod', metadata: meta }).kind, 'Pod');
    assert.throws(() => objectReference({ metadata: meta }), TypeError);
  });

  it('keys series on the object identity, not its resourceVersion', () => {
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u' };
    const e = { type: 'Normal', reason: 'R', action: 'A', note: 'n' } as const;
    assert.equal(
      eventKey({ ...ref, resourceVersion: '1' }, e),
      eventKey({ ...ref, resourceVersion: '2' }, e),
    );
    assert.notEqual(eventKey(ref, e), eventKey({ ...ref, uid: 'v' }, e));
    assert.notEqual(eventKey(ref, e), eventKey(ref, { ...e, action: 'B' }));
  });
});
