// The informer across API server restarts and etcd compaction, on the real control plane: whatever
// happened while it was cut off, its cache must end up equal to a fresh list, with synthetic
// deletes for objects that vanished meanwhile.
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
import { PASS, type FaultProxy } from './fault-proxy.ts';

const WAIT = { timeoutMs: 120_000, intervalMs: 200 };
// Short backoff so recovery after the outage is quick; the shape is the same as the default.
const BACKOFF = { initialMs: 200, maxMs: 2_000 };

describe('informer recovery on the real control plane', () => {
  let c: TestCluster;
  let proxy: FaultProxy;
  let proxied: KubeApi;
  const informers: Informer<KubeObject>[] = [];

  before(async () => {
    c = await testCluster();
    ({ proxy, api: proxied } = await c.faultProxy());
  });
  after(async () => {
    for (const i of informers) await i.stop();
    await c.close();
  });

  async function seed(ns: string, label: string, names: string[]): Promise<void> {
    for (const name of names) {
      await resourceClient(c.api, RESOURCES.configMaps).create(
        { metadata: { name, labels: { t: label } }, data: { v: '0' } },
        { namespace: ns },
      );
    }
  }

  async function churn(ns: string, label: string, tag: string): Promise<void> {
    await seed(ns, label, [`${tag}-new-1`, `${tag}-new-2`, `${tag}-new-3`]);
    await resourceClient(c.api, RESOURCES.configMaps).delete('keep-0', { namespace: ns });
    await resourceClient(c.api, RESOURCES.configMaps).delete('keep-1', { namespace: ns });
    await resourceClient(c.api, RESOURCES.configMaps).jsonPatch(
      'keep-2',
      [{ op: 'replace', path: '/data/v', value: tag }],
      { namespace: ns },
    );
  }

  it('converges to a fresh list after the API server restarts', async () => {
    const ns = await c.namespace('rec-restart');
    const path = resourcePath(RESOURCES.configMaps, { namespace: ns });
    await seed(ns, 'restart', ['keep-0', 'keep-1', 'keep-2', 'keep-3']);
    const deleted: string[] = [];
    const inf = createInformer({
      api: c.api,
      resource: RESOURCES.configMaps,
      namespace: ns,
      labelSelector: 't=restart',
      backoff: BACKOFF,
      handlers: { onDelete: (o) => deleted.push(o.metadata.name) },
    });
    informers.push(inf);
    inf.start();
    await inf.synced;
    await c.cp.restartApiserver();
    await churn(ns, 'restart', 'after');
    await waitFor(async () => sameMap(cacheVersions(inf.list()), await freshList(c.api, path, 't=restart')), {
      what: 'cache equals a fresh list after the restart',
      ...WAIT,
    });
    assert.deepEqual(deleted.sort(), ['keep-0', 'keep-1']);
    assert.equal(
      inf.get(`${ns}/keep-2`)?.data && (inf.get(`${ns}/keep-2`)!.data as Record<string, string>).v,
      'after',
    );
  });

  it('relists with synthetic deletes when its resourceVersion was compacted away while it was cut off', async () => {
    const ns = await c.namespace('rec-compact');
    const path = resourcePath(RESOURCES.configMaps, { namespace: ns });
    await seed(ns, 'compact', ['keep-0', 'keep-1', 'keep-2', 'keep-3']);
    const events: string[] = [];
    const log = memoryLogger();
    const inf = createInformer({
      api: proxied,
      resource: RESOURCES.configMaps,
      namespace: ns,
      labelSelector: 't=compact',
      backoff: BACKOFF,
      logger: log.logger,
      handlers: {
        onAdd: (o) => events.push(`add ${o.metadata.name}`),
        onUpdate: (old, o) => old !== o && events.push(`update ${o.metadata.name}`),
        onDelete: (o) => events.push(`delete ${o.metadata.name}`),
      },
    });
    informers.push(inf);
    proxy.setFault(PASS);
    inf.start();
    await inf.synced;
    await waitFor(() => proxy.requests.some((r) => r.watch && r.path === path), {
      what: 'watch open',
      ...WAIT,
    });
    const staleVersion = inf.resourceVersion;
    events.length = 0;

    // Cut the informer off, change things behind its back, and make its resourceVersion unservable:
    // compaction removes it from etcd, and restarting the API server drops the watch cache that
    // would otherwise still replay those events from memory.
    proxy.setFault((req) => (req.path === path ? { kind: 'status', status: 503 } : { kind: 'pass' }));
    proxy.cutStreams();
    await churn(ns, 'compact', 'behind');
    for (let i = 0; i < 20; i++) {
      await resourceClient(c.api, RESOURCES.configMaps).jsonPatch(
        'keep-3',
        [{ op: 'replace', path: '/data/v', value: String(i) }],
        { namespace: ns },
      );
    }
    await c.cp.compactEtcd();
    await c.cp.restartApiserver();
    const listsBefore = inf.stats().lists;
    proxy.setFault(PASS);

    await waitFor(async () => sameMap(cacheVersions(inf.list()), await freshList(c.api, path, 't=compact')), {
      what: 'cache equals a fresh list after compaction',
      ...WAIT,
    });
    assert.ok(inf.stats().lists > listsBefore, 'it relisted');
    assert.ok(
      log
        .lines()
        .some((l) => l.msg === 'resourceVersion expired; relisting' && l.resourceVersion === staleVersion),
      'the resumed watch was answered with 410 Gone',
    );
    assert.deepEqual(
      events.filter((e) => e.startsWith('delete')).sort(),
      ['delete keep-0', 'delete keep-1'],
      'synthetic deletes',
    );
    assert.deepEqual(events.filter((e) => e.startsWith('add')).sort(), [
      'add behind-new-1',
      'add behind-new-2',
      'add behind-new-3',
    ]);
    assert.ok(events.includes('update keep-2') && events.includes('update keep-3'));
  });
});
