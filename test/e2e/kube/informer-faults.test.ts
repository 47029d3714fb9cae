// The informer behind a fault-injecting proxy in front of the real API server: it must keep
// retrying with backoff after every kind of failure, never flood the server, and always recover.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createInformer,
  type Informer,
  type KubeApi,
  type KubeObject,
  RESOURCES,
  resourcePath,
  resourceClient,
} from '../../../src/kube/index.ts';
import { cacheVersions, freshList, memoryLogger, sameMap, testCluster, type TestCluster } from './cluster.ts';
import { PASS, type FaultProxy, type FaultRule } from './fault-proxy.ts';

const WAIT = { timeoutMs: 60_000, intervalMs: 100 };

describe('informer through a fault-injecting proxy', () => {
  let c: TestCluster;
  let proxy: FaultProxy;
  let api: KubeApi;
  const informers: Informer<KubeObject>[] = [];

  before(async () => {
    c = await testCluster();
    ({ proxy, api: api } = await c.faultProxy());
  });
  after(async () => {
    for (const i of informers) await i.stop();
    await c.close();
  });

  /** A synced informer on a fresh namespace, watching through the proxy. */
  async function syncedInformer(prefix: string, extra: Partial<Parameters<typeof createInformer>[0]> = {}) {
    const ns = await c.namespace(prefix);
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'seed', labels: { t: prefix } } },
      { namespace: ns },
    );
    const path = resourcePath(RESOURCES.configMaps, { namespace: ns });
    const log = memoryLogger();
    const inf = createInformer({
      api,
      resource: RESOURCES.configMaps,
      namespace: ns,
      labelSelector: `t=${prefix}`,
      logger: log.logger,
      ...extra,
    });
    informers.push(inf);
    proxy.setFault(PASS);
    inf.start();
    assert.equal(await inf.synced, true);
    await waitFor(() => proxy.requests.some((r) => r.watch && r.path === path), {
      what: 'watch open',
      ...WAIT,
    });
    const converged = async () =>
      sameMap(cacheVersions(inf.list()), await freshList(c.api, path, `t=${prefix}`));
    const create = (name: string) =>
      resourceClient(c.api, RESOURCES.configMaps).create(
        { metadata: { name, labels: { t: prefix } } },
        { namespace: ns },
      );
    return { ns, path, inf, log, converged, create };
  }

  const countSince = (path: string, from: number) =>
    proxy.requests.filter((r) => r.path === path && r.at >= from).length;

  it('backs off through 401, 403 and 500 answers without flooding, then recovers', async (t) => {
    const s = await syncedInformer('flt-status');
    const statuses = [401, 403, 500] as const;
    // One status per failed attempt, in turn (then 500 until the outage ends): the proxy asks the
    // rule once per request, so each status is answered at least once whatever the backoff's jitter.
    let answered = 0;
    const rule: FaultRule = (req) =>
      req.path === s.path
        ? { kind: 'status', status: statuses[Math.min(answered++, statuses.length - 1)]! }
        : { kind: 'pass' };
    proxy.setFault(rule);
    const start = Date.now();
    proxy.cutStreams();
    await waitFor(() => answered >= statuses.length, {
      what: 'a retry answered with each status',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const elapsedMs = Date.now() - start;
    const during = countSince(s.path, start);
    // client-go-style backoff from 0.8 s doubling with jitter: 3 attempts take seconds; a restart
    // loop would have made thousands by then.
    t.diagnostic(`${during} requests in ${elapsedMs} ms of 401/403/500 answers`);
    assert.ok(elapsedMs >= 1_000, `backed off between attempts (${elapsedMs} ms for ${during} requests)`);
    assert.ok(during <= statuses.length + 1, `no flood: ${during} requests in ${elapsedMs} ms`);
    const reasons = new Set(
      s.log
        .lines()
        .filter((l) => l.msg === 'list/watch failed; retrying after backoff')
        .map((l) => l.reason),
    );
    for (const status of statuses) {
      assert.ok(reasons.has(String(status)), `logged the ${status}: ${[...reasons].join(',')}`);
    }
    assert.equal(s.inf.hasSynced(), true, 'the cache stays usable while the server fails');

    proxy.setFault(PASS);
    await s.create('after-outage');
    await waitFor(() => s.inf.get(`${s.ns}/after-outage`) !== undefined, {
      what: 'recovery after the outage',
      ...WAIT,
    });
    await waitFor(s.converged, { what: 'cache equals a fresh list', ...WAIT });
  });

  it('restarts a stalled watch after the inactivity timeout', async () => {
    const s = await syncedInformer('flt-stall', {
      inactivityTimeoutMs: 1_000,
      backoff: { initialMs: 100, maxMs: 500 },
    });
    let stalled = 0;
    proxy.setFault((req) =>
      req.watch && req.path === s.path && stalled++ === 0 ? { kind: 'stall' } : { kind: 'pass' },
    );
    proxy.cutStreams();
    await waitFor(() => stalled >= 1, { what: 'the stalled watch', ...WAIT });
    await s.create('after-stall');
    await waitFor(() => s.inf.get(`${s.ns}/after-stall`) !== undefined, {
      what: 'the object created during the stall',
      ...WAIT,
    });
    assert.ok(
      s.log.lines().some((l) => l.reason === 'inactive'),
      'the stall was detected as inactivity',
    );
    await waitFor(s.converged, { what: 'cache equals a fresh list', ...WAIT });
  });

  it('treats an unparsable watch line as an error and recovers instead of skipping it', async () => {
    const s = await syncedInformer('flt-parse', { backoff: { initialMs: 100, maxMs: 500 } });
    let served = 0;
    proxy.setFault((req) =>
      req.watch && req.path === s.path && served++ === 0
        ? { kind: 'body', status: 200, body: 'this is not json\n' }
        : { kind: 'pass' },
    );
    proxy.cutStreams();
    await waitFor(() => served >= 1, { what: 'the garbage watch', ...WAIT });
    await s.create('after-garbage');
    await waitFor(() => s.inf.get(`${s.ns}/after-garbage`) !== undefined, {
      what: 'recovery after garbage',
      ...WAIT,
    });
    assert.ok(
      s.log.lines().some((l) => l.reason === 'parse'),
      'a parse failure was logged',
    );
    assert.match(s.inf.stats().lastError ?? '', /invalid JSON/);
  });

  it('backs off when the server keeps closing watches at once, and on connection resets', async (t) => {
    const s = await syncedInformer('flt-close');
    let n = 0;
    proxy.setFault((req) =>
      req.path !== s.path
        ? { kind: 'pass' }
        : n++ % 2 === 0
          ? { kind: 'body', status: 200, body: '' }
          : { kind: 'reset' },
    );
    const start = Date.now();
    proxy.cutStreams();
    await new Promise((r) => setTimeout(r, 6_000));
    const during = countSince(s.path, start);
    t.diagnostic(`${during} requests during 6 s of empty watches and resets`);
    assert.ok(
      during >= 2 && during <= 7,
      `empty watches are retried with backoff: ${during} requests in 6 s`,
    );
    proxy.setFault(PASS);
    await s.create('after-close');
    await waitFor(() => s.inf.get(`${s.ns}/after-close`) !== undefined, { what: 'recovery', ...WAIT });
  });
});
