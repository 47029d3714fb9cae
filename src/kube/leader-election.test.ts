// Leader election against an in-memory Lease endpoint (optimistic concurrency like the API server's),
// on short real durations: the two ways two leaders could overlap. The real API server is in
// test/e2e/kube/leader-election.test.ts.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { KubeApiError, KubeTransportError } from './api-client-errors.ts';
import type { KubeRequester, RawRequestOptions } from './api-client.ts';
import { createLeaderElector } from './leader-election.ts';
import type { Lease } from './leader-election-decision.ts';

// The lease is well above renew deadline + retry period (2.4 s), so the bound below has slack for a
// busy machine; the broken behaviour held on for ~4.4 s.
const TIMING = { leaseDurationMs: 4000, renewDeadlineMs: 2000, retryPeriodMs: 400 } as const;

interface FakeLeases extends KubeRequester {
  /** Makes the endpoint slow: GETs answer just inside their timeout, writes never answer in time. */
  stall(): void;
  lastWriteAt(): number;
}

function fakeLeases(): FakeLeases {
  let lease: Lease | undefined;
  let version = 0;
  let stalled = false;
  let lastWrite = 0;
  const fail = (method: string, path: string, status: number): never => {
    throw new KubeApiError({ method, path, status });
  };
  return {
    request: () => Promise.reject(new Error('watch requests are not used by leader election')),
    async requestJson<T>(req: RawRequestOptions & { retry?: boolean }): Promise<T> {
      const method = req.method ?? 'GET';
      const timeoutMs = typeof req.timeoutMs === 'number' ? req.timeoutMs : 30_000;
      if (stalled) {
        const answersIn = method === 'GET' ? timeoutMs - 20 : timeoutMs + 1;
        await sleep(Math.min(answersIn, timeoutMs));
        if (answersIn >= timeoutMs) {
          throw new KubeTransportError({ method, path: req.path, transportCode: 'TimeoutError' });
        }
      } else {
        await sleep(1);
      }
      if (method === 'GET') return structuredClone(lease ?? fail(method, req.path, 404)) as T;
      const body = req.body as Lease;
      if (method === 'POST' && lease) fail(method, req.path, 409);
      if (method === 'PUT' && body.metadata?.resourceVersion !== lease?.metadata?.resourceVersion) {
        fail(method, req.path, 409);
      }
      version += 1;
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(version) } };
      lastWrite = Date.now();
      return structuredClone(lease) as T;
    },
    stall: () => void (stalled = true),
    lastWriteAt: () => lastWrite,
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('leader election', () => {
  it('stops leading within the renew deadline when the API server slows down, before the lease could pass on', async () => {
    const api = fakeLeases();
    const elector = createLeaderElector({ api, namespace: 'ns', name: 'l', identity: 'a', ...TIMING });
    const stop = new AbortController();
    const running = elector.run(stop.signal);
    await until('leadership', () => elector.isLeader());
    api.stall();
    const lastRenewal = api.lastWriteAt();
    await until('leadership to end', () => !elector.isLeader(), 4 * TIMING.leaseDurationMs);
    const heldFor = Date.now() - lastRenewal;
    stop.abort();
    await running;
    // A round that starts one retry period after the last renewal ends by its deadline, well before
    // another candidate may take the lease (leaseDuration after it last saw it change).
    assert.ok(
      heldFor < TIMING.leaseDurationMs,
      `led for ${heldFor} ms after the last renewal; the lease lasts ${TIMING.leaseDurationMs} ms`,
    );
  });

  it('keeps renewing while in-flight work drains after stop, so the next leader starts after it', async () => {
    const api = fakeLeases();
    const events: string[] = [];
    const drainMs = TIMING.leaseDurationMs + 1000;
    const a = createLeaderElector({
      api,
      namespace: 'ns',
      name: 'l',
      identity: 'a',
      ...TIMING,
      onStartedLeading: async (signal) => {
        events.push('a leads');
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await sleep(drainMs);
        events.push('a drained');
      },
    });
    const b = createLeaderElector({
      api,
      namespace: 'ns',
      name: 'l',
      identity: 'b',
      ...TIMING,
      onStartedLeading: () => void events.push('b leads'),
    });
    const stopA = new AbortController();
    const stopB = new AbortController();
    const runA = a.run(stopA.signal);
    await until('a to lead', () => a.isLeader());
    const runB = b.run(stopB.signal);
    await sleep(TIMING.retryPeriodMs);
    stopA.abort();
    await runA;
    await until('b to lead', () => events.includes('b leads'), TIMING.leaseDurationMs);
    stopB.abort();
    await runB;
    assert.deepEqual(events, ['a leads', 'a drained', 'b leads']);
  });
});
