import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MESSAGE, withCondition } from './condition.ts';

const T0 = new Date('2026-12-07T00:00:00Z');
const T1 = new Date('2026-12-07T01:00:00Z');

describe('withCondition', () => {
  it('sets one condition and keeps the others; the transition time moves only with the status', () => {
    const first = withCondition(undefined, 'SourceAvailable', {
      status: 'True',
      reason: 'Available',
      message: 'served',
      generation: 1,
      now: T0,
    });
    const current = {
      conditions: [
        ...first,
        {
          type: 'Ready',
          status: 'True' as const,
          reason: 'Copied',
          message: '',
          lastTransitionTime: T0.toISOString(),
        },
      ],
    };
    const same = withCondition(current, 'SourceAvailable', {
      status: 'True',
      reason: 'Available',
      message: 'still served',
      generation: 2,
      now: T1,
    });
    assert.deepEqual(
      same.map((c) => [c.type, c.status, c.lastTransitionTime, c.observedGeneration]),
      [
        ['Ready', 'True', T0.toISOString(), undefined],
        ['SourceAvailable', 'True', T0.toISOString(), 2],
      ],
    );
    const gone = withCondition(current, 'SourceAvailable', {
      status: 'False',
      reason: 'NotFound',
      message: 'gone',
      generation: 2,
      now: T1,
    });
    assert.equal(gone.find((c) => c.type === 'SourceAvailable')?.lastTransitionTime, T1.toISOString());
  });

  it('caps a registry error body to what the CRD accepts, for every condition type', () => {
    for (const type of ['Ready', 'SourceAvailable']) {
      const [c] = withCondition(undefined, type, {
        status: 'False',
        reason: 'R'.repeat(5_000),
        message: 'x'.repeat(64 * 1024),
        generation: 1,
        now: T0,
      });
      assert.ok(c!.message.length <= MAX_MESSAGE, `${type}: ${c!.message.length}`);
      assert.ok(c!.reason.length <= 1_024, `${type}: ${c!.reason.length}`);
      assert.match(c!.message, /more characters cut/);
    }
  });
});
