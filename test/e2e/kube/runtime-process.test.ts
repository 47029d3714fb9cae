// The runtime wired as a real controller process would be (fixtures/elected-worker.ts), two
// replicas against the real API server: exactly one leads and reconciles, /readyz follows the
// informer's sync, /metrics serves the workqueue metrics, and SIGTERM releases the lease so the
// other replica takes over at once rather than after the lease expires; a killed leader's lease
// passes on once it expires.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createInformer,
  LEADER_ELECTION_DEFAULTS,
  startHealthServer,
  RESOURCES,
  resourceClient,
} from '../../../src/kube/index.ts';
import { testCluster, type TestCluster } from './cluster.ts';

const WORKER = new URL('./fixtures/elected-worker.ts', import.meta.url).pathname;

interface Worker {
  readonly id: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  exited: Promise<number | null>;
}

function startWorker(kubeconfig: string, namespace: string, id: string): Worker {
  const child = spawn(process.execPath, [WORKER, kubeconfig, namespace, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { id, child, lines, exited };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('a controller process with leader election (two replicas)', () => {
  let c: TestCluster;
  let ns: string;
  const workers: Worker[] = [];

  before(async () => {
    c = await testCluster();
    ns = await c.namespace('runtime');
  });
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await c.close();
  });

  it('serves /readyz 503 until the informer has synced, then 200', async () => {
    const registry = new Registry();
    const informer = createInformer({ api: c.api, resource: RESOURCES.configMaps, namespace: ns, registry });
    const health = await startHealthServer({
      address: '127.0.0.1:0',
      registry,
      readyChecks: { informers: () => informer.hasSynced() },
    });
    try {
      const before = await get(`http://${health.address}/readyz`);
      assert.equal(before.status, 503);
      assert.match(before.body, /\[-\]informers/);
      informer.start();
      assert.equal(await informer.synced, true);
      assert.equal((await get(`http://${health.address}/readyz`)).status, 200);
    } finally {
      await informer.stop();
      await health.close();
    }
  });

  it('lets exactly one replica lead, and hands over at once when the leader gets SIGTERM', async (t) => {
    workers.push(
      startWorker(c.cp.kubeconfigPath, ns, 'replica-a'),
      startWorker(c.cp.kubeconfigPath, ns, 'replica-b'),
    );
    const leaders = (): Worker[] => workers.filter((w) => w.lines.some((l) => l.startsWith('LEADING ')));
    await waitFor(() => leaders().length > 0, { what: 'a leader', timeoutMs: 60_000, intervalMs: 100 });
    // Both stay candidates; give the other several retry periods to (wrongly) lead as well.
    await new Promise((resolve) => setTimeout(resolve, 3 * LEADER_ELECTION_DEFAULTS.retryPeriodMs));
    assert.equal(leaders().length, 1, 'exactly one leader');
    const [leader] = leaders();
    const follower = workers.find((w) => w !== leader)!;

    // Only the leader reconciles.
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'work' } },
      { namespace: ns },
    );
    await waitFor(() => leader!.lines.includes(`RECONCILED ${ns}/work`), {
      what: 'the leader to reconcile the new ConfigMap',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    assert.ok(!follower.lines.some((l) => l.startsWith('RECONCILED ')), 'the follower reconciles nothing');

    // Both serve health; the leader's metrics show its workqueue.
    for (const w of workers) {
      const address = w.lines.find((l) => l.startsWith('HEALTH '))!.slice('HEALTH '.length);
      await waitFor(async () => (await get(`http://${address}/readyz`)).status === 200, {
        what: `${w.id} ready`,
        timeoutMs: 30_000,
      });
    }
    const leaderAddress = leader!.lines.find((l) => l.startsWith('HEALTH '))!.slice('HEALTH '.length);
    const metrics = await get(`http://${leaderAddress}/metrics`);
    assert.match(metrics.body, /workqueue_adds_total\{name="configmaps"\} [1-9]/);
    assert.match(metrics.body, /lifeboat_leader\{[^}]*\} 1/);

    // SIGTERM: the leader releases the lease, so the follower leads well before the 15 s lease
    // would have expired on its own.
    const sigterm = Date.now();
    leader!.child.kill('SIGTERM');
    assert.equal(await leader!.exited, 0, 'the leader shuts down cleanly');
    assert.ok(leader!.lines.includes(`STOPPED ${leader!.id}`));
    await waitFor(() => follower.lines.includes(`LEADING ${follower.id}`), {
      what: 'the follower to take over',
      timeoutMs: LEADER_ELECTION_DEFAULTS.leaseDurationMs,
      intervalMs: 50,
    });
    const handoverMs = Date.now() - sigterm;
    t.diagnostic(`handover after SIGTERM: ${handoverMs} ms`);
    assert.ok(handoverMs < LEADER_ELECTION_DEFAULTS.leaseDurationMs);
    follower.child.kill('SIGTERM');
    assert.equal(await follower.exited, 0);
  });

  it('hands over within the lease duration when the leader is killed without releasing', async (t) => {
    const pair = [
      startWorker(c.cp.kubeconfigPath, ns, 'replica-c'),
      startWorker(c.cp.kubeconfigPath, ns, 'replica-d'),
    ];
    workers.push(...pair);
    const leading = (w: Worker): boolean => w.lines.includes(`LEADING ${w.id}`);
    // The lease left by the previous test was released, so one of the pair leads soon.
    await waitFor(() => pair.some(leading), { what: 'a leader', timeoutMs: 60_000, intervalMs: 100 });
    const leader = pair.find(leading)!;
    const follower = pair.find((w) => w !== leader)!;

    // SIGKILL: no shutdown hook runs, the lease stays held until it expires by the clock.
    const killed = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    const { leaseDurationMs, retryPeriodMs } = LEADER_ELECTION_DEFAULTS;
    await waitFor(() => leading(follower), {
      what: 'the follower to take over the expired lease',
      timeoutMs: leaseDurationMs + 3 * retryPeriodMs,
      intervalMs: 50,
    });
    const handoverMs = Date.now() - killed;
    t.diagnostic(`handover after SIGKILL: ${handoverMs} ms (lease ${leaseDurationMs} ms)`);
    // The last renewal was at most one retry period before the kill: taking over earlier than
    // that would mean the follower ignored a lease that was still valid.
    assert.ok(handoverMs >= leaseDurationMs - retryPeriodMs - 500, `took over after only ${handoverMs} ms`);
    assert.ok(!leader.lines.includes(`STOPPED ${leader.id}`), 'the killed leader ran no shutdown');

    // The new leader does the work.
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'after-kill' } },
      { namespace: ns },
    );
    await waitFor(() => follower.lines.includes(`RECONCILED ${ns}/after-kill`), {
      what: 'the new leader to reconcile',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    follower.child.kill('SIGTERM');
    assert.equal(await follower.exited, 0);
  });
});
