import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitForSync } from './wait-for-sync.ts';

/** An informer whose list completes when the test says so. */
function pending(): { synced: Promise<boolean>; resolve(v: boolean): void } {
  let resolve!: (v: boolean) => void;
  const synced = new Promise<boolean>((r) => (resolve = r));
  return { synced, resolve };
}

describe('waitForSync', () => {
  it('resolves true once every informer has listed', async () => {
    const a = pending();
    const b = pending();
    const waiting = waitForSync(new AbortController().signal, a, b);
    a.resolve(true);
    b.resolve(true);
    assert.equal(await waiting, true);
  });

  it('resolves false when an informer was stopped before it listed', async () => {
    const a = pending();
    const waiting = waitForSync(new AbortController().signal, a, { synced: Promise.resolve(true) });
    a.resolve(false);
    assert.equal(await waiting, false);
  });

  it('resolves false as soon as the signal aborts, though the caches never sync', async () => {
    const stop = new AbortController();
    const waiting = waitForSync(stop.signal, pending());
    stop.abort();
    assert.equal(await waiting, false);
  });

  it('resolves false at once for a signal already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    assert.equal(await waitForSync(stop.signal, { synced: Promise.resolve(true) }), false);
  });

  it('removes its abort listener once settled', async () => {
    const stop = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = stop.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<typeof add>) => (added++, add(...args));
    signal.removeEventListener = (...args: Parameters<typeof remove>) => (removed++, remove(...args));
    for (let i = 0; i < 3; i++)
      assert.equal(await waitForSync(signal, { synced: Promise.resolve(true) }), true);
    assert.equal(added, 3);
    assert.equal(removed, 3);
  });
});
