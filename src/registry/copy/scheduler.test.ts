import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCopyScheduler } from './scheduler.ts';

describe('createCopyScheduler', () => {
  it('runs one job per key at a time and forgets the key when it settles', async () => {
    const s = createCopyScheduler();
    let runs = 0;
    let finish: () => void = () => {};
    const job = () => {
      runs++;
      return new Promise<string>((resolve) => (finish = () => resolve('done')));
    };
    const first = s.once('k', job);
    const second = s.once('k', job);
    assert.equal(first.shared, false);
    assert.equal(second.shared, true);
    assert.equal(second.promise, first.promise);
    finish();
    assert.equal(await second.promise, 'done');
    assert.equal(s.once('k', () => Promise.resolve('again')).shared, false);
    assert.equal(runs, 1);
  });

  it('lets a failed key be retried', async () => {
    const s = createCopyScheduler();
    await assert.rejects(s.once('k', () => Promise.reject(new Error('x'))).promise);
    assert.equal(await s.once('k', () => Promise.resolve(1)).promise, 1);
  });

  it('never runs more transfers than jobs, nor more per host than perHostLimit', async () => {
    const s = createCopyScheduler({ jobs: 3, perHostLimit: 2 });
    let active = 0;
    let peak = 0;
    const perHost = new Map<string, number>();
    let hostPeak = 0;
    const work = (host: string) =>
      s.transfer({ hosts: ['src', host], size: 1, reserve: 1 }, async () => {
        active++;
        perHost.set(host, (perHost.get(host) ?? 0) + 1);
        peak = Math.max(peak, active);
        hostPeak = Math.max(hostPeak, perHost.get(host) ?? 0);
        await new Promise((resolve) => setImmediate(resolve));
        perHost.set(host, (perHost.get(host) ?? 0) - 1);
        active--;
      });
    await Promise.all(Array.from({ length: 12 }, (_, i) => work(i % 2 === 0 ? 'a' : 'b')));
    assert.equal(peak, 2, "the shared source host's limit binds first");
    assert.ok(hostPeak <= 2);
  });

  it('remembers the most recent repositories holding a digest, per host', () => {
    const s = createCopyScheduler({ maxLocations: 2 });
    s.remember('h', 'd1', 'one');
    s.remember('h', 'd1', 'two');
    s.remember('other', 'd1', 'three');
    assert.deepEqual(s.locations('h', 'd1'), ['two', 'one']);
    s.remember('h', 'd2', 'x');
    assert.deepEqual(s.locations('h', 'd1'), [], 'the oldest digest was forgotten beyond maxLocations');
  });

  it('refuses a zero job count', () => {
    assert.throws(() => createCopyScheduler({ jobs: 0 }), RangeError);
  });
});
