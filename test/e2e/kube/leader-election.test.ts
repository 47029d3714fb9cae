// Two leader-election candidates on a real Lease in the real API server, with short durations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { waitFor } from '../../../src/devenv/index.ts';
import { createLeaderElector, type LeaderElector } from '../../../src/kube/index.ts';
import { testCluster, uniqueName, type TestCluster } from './cluster.ts';

// 3 s lease, 2 s renew deadline, 0.5 s retry: the client-go ratios, scaled down.
const TIMING = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const WAIT = { timeoutMs: 30_000, intervalMs: 50 };

interface Candidate {
  id: string;
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  started: number;
  stopped: number;
  leadingSignal?: AbortSignal;
}

describe('leader election on a real Lease', () => {
  let c: TestCluster;
  let ns: string;
  const running: Candidate[] = [];

  before(async () => {
    c = await testCluster();
    ns = await c.namespace('leader');
  });
  after(async () => {
    for (const r of running) r.stop.abort();
    await Promise.all(running.map((r) => r.done));
    await c.close();
  });

  function candidate(
    lease: string,
    id: string,
    extra: { releaseOnCancel?: boolean; registry?: Registry } = {},
  ): Candidate {
    const stop = new AbortController();
    const cand: Candidate = {
      id,
      stop,
      done: Promise.resolve(),
      started: 0,
      stopped: 0,
      elector: undefined as unknown as LeaderElector,
    };
    cand.elector = createLeaderElector({
      api: c.api,
      namespace: ns,
      name: lease,
      identity: id,
      ...TIMING,
      ...extra,
      onStartedLeading: (signal) => {
        cand.started++;
        cand.leadingSignal = signal;
      },
      onStoppedLeading: () => {
        cand.stopped++;
      },
    });
    cand.done = cand.elector.run(stop.signal);
    running.push(cand);
    return cand;
  }

  const leaders = (cands: Candidate[]) => cands.filter((x) => x.elector.isLeader());

  async function readLease(
    lease: string,
  ): Promise<{ holderIdentity?: string; leaseTransitions?: number; renewTime?: string }> {
    const l = await c.api.requestJson<{
      spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string };
    }>({
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${lease}`,
    });
    return l.spec;
  }

  it('elects exactly one of two candidates and keeps it while it renews', async () => {
    const lease = uniqueName('one');
    const registry = new Registry();
    const a = candidate(lease, 'a', { registry });
    const b = candidate(lease, 'b');
    await waitFor(() => leaders([a, b]).length === 1, { what: 'a leader', ...WAIT });
    const leader = leaders([a, b])[0]!;
    const spec = await readLease(lease);
    assert.equal(spec.holderIdentity, leader.id);
    assert.match(spec.renewTime ?? '', /\.\d{6}Z$/, 'MicroTime with six fractional digits');
    // Over several lease durations the leader keeps renewing and nobody else takes over.
    const firstRenew = spec.renewTime;
    for (let i = 0; i < 16; i++) {
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(leaders([a, b]).length, 1, 'never two leaders, never none');
      assert.equal(leader.elector.isLeader(), true);
    }
    assert.notEqual((await readLease(lease)).renewTime, firstRenew, 'the leader renewed');
    assert.equal(a.elector.leader(), leader.id);
    assert.equal(b.elector.leader(), leader.id);
    const metric = await registry.getSingleMetricAsString('lifeboat_leader');
    assert.match(metric, new RegExp(`lifeboat_leader\\{lease="${ns}/${lease}"\\} ${leader === a ? 1 : 0}`));
    for (const x of [a, b]) x.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('hands over after the lease expires when the leader stops without releasing', async () => {
    const lease = uniqueName('crash');
    const a = candidate(lease, 'a', { releaseOnCancel: false });
    await waitFor(() => a.elector.isLeader(), { what: 'a leads', ...WAIT });
    const b = candidate(lease, 'b');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(b.elector.isLeader(), false, 'b waits while a renews');

    const stoppedAt = Date.now();
    a.stop.abort(); // like a crash: no release
    await a.done;
    assert.equal(a.leadingSignal?.aborted, true, "a's work was told to stop");
    assert.equal(a.stopped, 1);
    assert.equal((await readLease(lease)).holderIdentity, 'a', 'the lease still names a');
    await waitFor(() => b.elector.isLeader(), { what: 'b takes over', ...WAIT });
    const tookMs = Date.now() - stoppedAt;
    // b must wait out the lease duration as it observed it, plus at most one retry period. a last
    // renewed at most one retry period before it stopped, so b cannot lead much sooner than this.
    const earliestMs = TIMING.leaseDurationMs - TIMING.retryPeriodMs - 500;
    assert.ok(tookMs >= earliestMs, `b took a lease that was still live (${tookMs} ms < ${earliestMs} ms)`);
    assert.ok(
      tookMs <= TIMING.leaseDurationMs + 3 * TIMING.retryPeriodMs + 2_000,
      `handover within the lease duration (${tookMs} ms)`,
    );
    const spec = await readLease(lease);
    assert.equal(spec.holderIdentity, 'b');
    assert.equal(spec.leaseTransitions, 1);
  });

  it('hands over at once when the leader releases the lease', async () => {
    const lease = uniqueName('release');
    // A long lease: without the release, b would need ~10 s to take over.
    const long = { leaseDurationMs: 10_000, renewDeadlineMs: 5_000, retryPeriodMs: 500 };
    const a = createLeaderElector({ api: c.api, namespace: ns, name: lease, identity: 'a', ...long });
    const aStop = new AbortController();
    const aDone = a.run(aStop.signal);
    await waitFor(() => a.isLeader(), { what: 'a leads', ...WAIT });
    const bStop = new AbortController();
    const b = createLeaderElector({ api: c.api, namespace: ns, name: lease, identity: 'b', ...long });
    const bDone = b.run(bStop.signal);
    await waitFor(() => b.leader() === 'a', { what: 'b sees a', ...WAIT });

    const releasedAt = Date.now();
    await a.release();
    await aDone;
    assert.equal(a.isLeader(), false);
    await waitFor(() => b.isLeader(), { what: 'b takes over', ...WAIT });
    const tookMs = Date.now() - releasedAt;
    assert.ok(
      tookMs < long.leaseDurationMs / 2,
      `released lease taken at once (${tookMs} ms), not after expiry`,
    );
    bStop.abort();
    await bDone;
    assert.equal((await readLease(lease)).holderIdentity, '', 'b released it too');
  });

  it('stops leading within the renew deadline when the API server stops answering, before the lease could pass on', async (t) => {
    const lease = uniqueName('cutoff');
    // A wider margin between renew deadline and lease duration than TIMING, so a busy machine
    // cannot blur the one thing asserted: work stops before another replica could take over.
    const timing = { leaseDurationMs: 6_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
    const { proxy, api } = await c.faultProxy();
    let leadingSignal: AbortSignal | undefined;
    const stop = new AbortController();
    const a = createLeaderElector({
      api,
      namespace: ns,
      name: lease,
      identity: 'a',
      ...timing,
      onStartedLeading: (signal) => {
        leadingSignal = signal;
      },
    });
    const done = a.run(stop.signal);
    t.after(async () => {
      stop.abort();
      await done;
    });
    await waitFor(() => a.isLeader(), { what: 'a leads', ...WAIT });

    const cutAt = Date.now();
    proxy.setFault((req) =>
      req.path.includes('/leases') ? { kind: 'status', status: 503 } : { kind: 'pass' },
    );
    await done;
    const stoppedAfterMs = Date.now() - cutAt;
    assert.equal(a.isLeader(), false);
    assert.equal(leadingSignal?.aborted, true, 'the leader’s work was told to stop');
    assert.ok(
      stoppedAfterMs < timing.leaseDurationMs,
      `stopped ${stoppedAfterMs} ms after the cut, before the ${timing.leaseDurationMs} ms lease expired`,
    );
    assert.equal((await readLease(lease)).holderIdentity, 'a', 'a lease it could not renew is not released');
  });

  it('loses leadership when another holder shows up in the lease, and aborts the leading signal', async () => {
    const lease = uniqueName('stolen');
    const a = candidate(lease, 'a');
    await waitFor(() => a.elector.isLeader(), { what: 'a leads', ...WAIT });
    // Someone overwrites the lease (as a split-brain or an operator would).
    const current = await c.api.requestJson<Record<string, unknown> & { spec: Record<string, unknown> }>({
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${lease}`,
    });
    await c.api.requestJson({
      method: 'PUT',
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${lease}`,
      body: { ...current, spec: { ...current.spec, holderIdentity: 'intruder' } },
    });
    await a.done;
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.leadingSignal?.aborted, true);
    assert.equal(a.stopped, 1);
    assert.equal(
      (await readLease(lease)).holderIdentity,
      'intruder',
      'a lost leader does not release what it no longer holds',
    );
  });
});
