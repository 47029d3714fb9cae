import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createInformer,
  createKubeApi,
  type Informer,
  type KubeObject,
  RESOURCES,
  resourceClient,
} from '../../../src/kube/index.ts';
import { cacheVersions, freshList, sameMap, testCluster, type TestCluster } from './cluster.ts';
import { startFaultProxy } from './fault-proxy.ts';

type Event = { type: 'add' | 'update' | 'delete'; name: string; old?: KubeObject; obj: KubeObject };

function recorder() {
  const events: Event[] = [];
  return {
    events,
    handlers: {
      onAdd: (obj: KubeObject) => events.push({ type: 'add', name: obj.metadata.name, obj }),
      onUpdate: (old: KubeObject, obj: KubeObject) =>
        events.push({ type: 'update', name: obj.metadata.name, old, obj }),
      onDelete: (obj: KubeObject) => events.push({ type: 'delete', name: obj.metadata.name, obj }),
    },
  };
}

const WAIT = { timeoutMs: 30_000, intervalMs: 50 };

describe('informer against the real API server', () => {
  let c: TestCluster;
  const informers: Informer<KubeObject>[] = [];
  before(async () => {
    c = await testCluster();
  });
  after(async () => {
    for (const i of informers) await i.stop();
    await c.close();
  });
  const track = (i: Informer<KubeObject>) => (informers.push(i), i);

  it('delivers add, update and delete and caches objects without managedFields or last-applied', async () => {
    const ns = await c.namespace('inf-basic');
    const rec = recorder();
    const inf = track(
      createInformer({
        api: c.api,
        resource: RESOURCES.configMaps,
        namespace: ns,
        handlers: rec.handlers,
        freeze: true,
      }),
    );
    inf.start();
    assert.equal(await inf.synced, true);
    assert.equal(inf.hasSynced(), true);

    await resourceClient(c.api, RESOURCES.configMaps).create(
      {
        metadata: {
          name: 'a',
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}', keep: 'me' },
        },
        data: { v: '1' },
      },
      { namespace: ns },
    );
    await waitFor(() => rec.events.some((e) => e.type === 'add' && e.name === 'a'), {
      what: 'add of a',
      ...WAIT,
    });
    const cached = inf.get(`${ns}/a`);
    assert.ok(cached);
    assert.equal(cached.metadata.managedFields, undefined, 'managedFields dropped');
    assert.deepEqual(
      cached.metadata.annotations,
      { keep: 'me' },
      'last-applied dropped, other annotations kept',
    );
    assert.equal(cached.kind, 'ConfigMap');
    assert.equal(typeof cached.metadata.creationTimestamp, 'string', 'plain JSON, no Date conversion');
    assert.throws(
      () => {
        (cached.data as Record<string, string>).v = 'mutated';
      },
      TypeError,
      'cached objects are frozen in tests',
    );

    await resourceClient(c.api, RESOURCES.configMaps).jsonPatch(
      'a',
      [{ op: 'replace', path: '/data/v', value: '2' }],
      { namespace: ns },
    );
    await waitFor(() => rec.events.some((e) => e.type === 'update' && e.name === 'a'), {
      what: 'update of a',
      ...WAIT,
    });
    const update = rec.events.find((e) => e.type === 'update' && e.name === 'a')!;
    assert.deepEqual(update.old?.data, { v: '1' });
    assert.deepEqual(update.obj.data, { v: '2' });

    await resourceClient(c.api, RESOURCES.configMaps).delete('a', { namespace: ns });
    await waitFor(() => rec.events.some((e) => e.type === 'delete' && e.name === 'a'), {
      what: 'delete of a',
      ...WAIT,
    });
    assert.equal(inf.get(`${ns}/a`), undefined);
    assert.ok(inf.lastEventAt !== undefined && inf.lastEventAt <= Date.now());
    assert.equal(inf.stats().failures, 0);
  });

  it('lists page by page when there are more objects than the page size', async () => {
    const ns = await c.namespace('inf-pages');
    for (let i = 0; i < 25; i++) {
      await resourceClient(c.api, RESOURCES.configMaps).create(
        { metadata: { name: `cm-${i}`, labels: { page: 'yes' } } },
        { namespace: ns },
      );
    }
    const proxy = await startFaultProxy(c.cp.kubeconfigPath);
    const api = createKubeApi({ kubeConfig: proxy.kubeConfig(), qps: 0 });
    const rec = recorder();
    const registry = new Registry();
    const inf = createInformer({
      api,
      name: 'paged',
      resource: RESOURCES.configMaps,
      namespace: ns,
      labelSelector: 'page=yes',
      pageSize: 10,
      handlers: rec.handlers,
      registry,
    });
    try {
      inf.start();
      assert.equal(await inf.synced, true);
      const listedVersion = inf.resourceVersion;
      assert.ok(listedVersion, 'the list reported a resourceVersion');
      assert.equal(inf.size, 25);
      assert.equal(rec.events.filter((e) => e.type === 'add').length, 25);
      const lists = proxy.requests.filter((r) => !r.watch);
      assert.equal(lists.length, 3, '25 objects in pages of 10');
      assert.deepEqual(
        lists.map((r) => r.query.get('limit')),
        ['10', '10', '10'],
      );
      assert.deepEqual(
        lists.map((r) => r.query.has('continue')),
        [false, true, true],
      );
      await waitFor(() => proxy.requests.some((r) => r.watch), { what: 'a watch after the list', ...WAIT });
      const watch = proxy.requests.find((r) => r.watch)!;
      assert.equal(watch.query.get('allowWatchBookmarks'), 'true');
      assert.equal(watch.query.get('resourceVersion'), listedVersion, 'the watch resumes from the list');
      const timeout = Number(watch.query.get('timeoutSeconds'));
      assert.ok(timeout >= 300 && timeout < 600, `jittered server timeout, got ${timeout}`);
      const metrics = await registry.metrics();
      assert.match(metrics, /lifeboat_informer_lists_total\{informer="paged"\} 1/);
      assert.match(metrics, /lifeboat_informer_objects\{informer="paged"\} 25/);
      assert.match(metrics, /lifeboat_informer_seconds_since_last_event\{informer="paged"\} \d/);
    } finally {
      await inf.stop();
      await api.close();
      await proxy.stop();
    }
  });

  it('caches only what the label and field selectors match', async () => {
    const ns = await c.namespace('inf-select');
    for (const [name, app] of [
      ['x1', 'x'],
      ['x2', 'x'],
      ['y1', 'y'],
    ] as const) {
      await resourceClient(c.api, RESOURCES.configMaps).create(
        { metadata: { name, labels: { app } } },
        { namespace: ns },
      );
    }
    const byLabel = track(
      createInformer({ api: c.api, resource: RESOURCES.configMaps, namespace: ns, labelSelector: 'app=x' }),
    );
    const byField = track(
      createInformer({
        api: c.api,
        resource: RESOURCES.configMaps,
        namespace: ns,
        fieldSelector: 'metadata.name=y1',
      }),
    );
    byLabel.start();
    byField.start();
    await Promise.all([byLabel.synced, byField.synced]);
    assert.deepEqual(byLabel.keys().sort(), [`${ns}/x1`, `${ns}/x2`]);
    assert.deepEqual(byField.keys(), [`${ns}/y1`]);
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'x3', labels: { app: 'x' } } },
      { namespace: ns },
    );
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'z', labels: { app: 'z' } } },
      { namespace: ns },
    );
    await waitFor(() => byLabel.size === 3, { what: 'x3 in the label-selected cache', ...WAIT });
    // z was created after x3: once x3 is seen, z would have been too if the selector let it through.
    await waitFor(
      async () =>
        sameMap(
          cacheVersions(byLabel.list()),
          await freshList(c.api, `/api/v1/namespaces/${ns}/configmaps`, 'app=x'),
        ),
      {
        what: 'label cache equals a fresh selected list',
        ...WAIT,
      },
    );
    assert.equal(byLabel.get(`${ns}/z`), undefined);
    assert.deepEqual(byField.keys(), [`${ns}/y1`]);
  });

  it('re-delivers every cached object on resync and survives a throwing handler', async () => {
    const ns = await c.namespace('inf-resync');
    await resourceClient(c.api, RESOURCES.configMaps).create(
      { metadata: { name: 'r', labels: { r: 'y' } } },
      { namespace: ns },
    );
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }),
    );
    const rec = recorder();
    const inf = track(
      createInformer({
        api: c.api,
        resource: RESOURCES.configMaps,
        namespace: ns,
        labelSelector: 'r=y',
        resyncPeriodMs: 200,
        logger,
      }),
    );
    inf.addHandlers({
      onUpdate: () => {
        throw new Error('handler bug');
      },
    });
    inf.addHandlers(rec.handlers);
    inf.start();
    await inf.synced;
    await waitFor(() => rec.events.filter((e) => e.type === 'update').length >= 2, {
      what: 'two resyncs',
      ...WAIT,
    });
    const resync = rec.events.find((e) => e.type === 'update')!;
    assert.equal(resync.old, resync.obj, 'a resync passes the cached object as both old and new');
    assert.ok(lines.some((l) => l.includes('handler bug') && l.includes('informer handler threw')));
  });
});
