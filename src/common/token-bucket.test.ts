import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenBucket, reserveToken } from './token-bucket.ts';

describe('reserveToken', () => {
  it('serves a burst at once, then one call per 1/qps, in order', () => {
    let state = { tokens: 3, at: 0 };
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = reserveToken(state, 0, 10, 3);
      state = r.state;
      waits.push(r.waitMs);
    }
    assert.deepEqual(waits, [0, 0, 0, 100, 200, 300]);
  });

  it('refills at qps up to burst while idle', () => {
    const r1 = reserveToken({ tokens: 0, at: 0 }, 250, 10, 5);
    assert.equal(r1.waitMs, 0);
    assert.ok(Math.abs(r1.state.tokens - 1.5) < 1e-9);
    const r2 = reserveToken({ tokens: 0, at: 0 }, 60_000, 10, 5);
    assert.equal(r2.state.tokens, 4, 'never more than burst');
  });
});

describe('createTokenBucket', () => {
  it('sleeps off the debt using the injected clock and sleeper', async () => {
    const slept: number[] = [];
    const bucket = createTokenBucket({
      qps: 2,
      burst: 1,
      now: () => 0,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    await bucket.wait();
    await bucket.wait();
    await bucket.wait();
    assert.deepEqual(slept, [500, 1_000]);
  });

  it('gives the token back when a waiter aborts', async () => {
    const slept: number[] = [];
    const ac = new AbortController();
    const bucket = createTokenBucket({
      qps: 1,
      burst: 1,
      now: () => 0,
      sleep: (ms) => {
        slept.push(ms);
        return slept.length === 1 ? Promise.reject(new Error('aborted')) : Promise.resolve();
      },
    });
    await bucket.wait();
    await assert.rejects(bucket.wait(ac.signal), /aborted/);
    await bucket.wait();
    assert.deepEqual(slept, [1_000, 1_000], 'the aborted reservation no longer counts');
  });

  it('does not limit when qps is 0, but still honours an aborted signal', async () => {
    const bucket = createTokenBucket({ qps: 0, burst: 0 });
    for (let i = 0; i < 1000; i++) await bucket.wait();
    await assert.rejects(bucket.wait(AbortSignal.abort(new Error('gone'))), /gone/);
  });
});
