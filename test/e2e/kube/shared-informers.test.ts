import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createSharedInformers,
  indexByNamespace,
  INDEX,
  type KubeObject,
  type KubeRequester,
  type SharedInformers,
} from '../../../src/kube/index.ts';
import { RESOURCES, resourcePath } from '../../../src/kube/resource.ts';
import { testCluster, type TestCluster } from './cluster.ts';

const WAIT = { timeoutMs: 30_000, intervalMs: 50 };

type ConfigMap = KubeObject & { data?: Record<string, string> };
/** Files a ConfigMap under each of its data keys (module level: one function for every caller). */
const byDataKey = (cm: ConfigMap) => Object.keys(cm.data ?? {});

/** The API client, counting the LISTs and WATCHes of configmaps that go through it. */
function counting(api: KubeRequester) {
  const counts = { lists: 0, watches: 0 };
  const wrapped: KubeRequester = {
    request(req) {
      if (req.path.endsWith('/configmaps') && req.query?.watch) counts.watches++;
      return api.request(req);
    },
    requestJson(req) {
      if (req.path.endsWith('/configmaps') && (req.method ?? 'GET') === 'GET') counts.lists++;
      return api.requestJson(req);
    },
  };
  return { counts, api: wrapped };
}

describe('shared informers against the real API server', () => {
  let c: TestCluster;
  const factories: SharedInformers[] = [];
  before(async () => {
    c = await testCluster();
  });
  after(async () => {
    for (const f of factories) await f.stop();
    await c.close();
  });

  it('serves two callers from one informer (one LIST, one WATCH) whose index follows adds, updates and deletes', async () => {
    const ns = await c.namespace('shared-inf');
    const counted = counting(c.api);
    const f = createSharedInformers({ api: counted.api, freeze: true });
    factories.push(f);

    // Two controllers ask for the same collection (the selector leaves out kube-root-ca.crt, which
    // the controller manager adds to every namespace).
    const request = { namespace: ns, labelSelector: 'test=shared' };
    const forFirst = f.informerFor<ConfigMap>(RESOURCES.configMaps, request);
    const forSecond = f.informerFor<ConfigMap>(RESOURCES.configMaps, { ...request });
    assert.equal(forFirst, forSecond);
    forFirst.addIndex('dataKey', byDataKey);
    forSecond.addIndex('dataKey', byDataKey);
    forSecond.addIndex(INDEX.namespace, indexByNamespace);
    const enqueued: string[] = [];
    forFirst.addHandlers({
      onAdd: (cm) => void enqueued.push(`add ${byDataKey(cm).join()}`),
      onUpdate: (old, cm) => void enqueued.push(`update ${byDataKey(old).join()} → ${byDataKey(cm).join()}`),
    });

    f.start();
    assert.equal(await f.waitForCacheSync(AbortSignal.timeout(30_000)), true);
    assert.equal(f.hasSynced(), true);
    await waitFor(() => counted.counts.watches === 1, { what: 'the watch', ...WAIT });
    assert.deepEqual(counted.counts, { lists: 1, watches: 1 });

    const path = resourcePath(RESOURCES.configMaps, { namespace: ns });
    await c.api.requestJson({
      method: 'POST',
      path,
      body: { metadata: { name: 'cm', labels: { test: 'shared' } }, data: { alice: '1' } },
    });
    await waitFor(() => forSecond.indexKeys('dataKey', 'alice').length === 1, {
      what: 'indexed add',
      ...WAIT,
    });
    assert.deepEqual(forFirst.indexKeys('dataKey', 'alice'), [`${ns}/cm`]);
    assert.deepEqual(
      forFirst.byIndex(INDEX.namespace, ns).map((o) => o.metadata.name),
      ['cm'],
    );

    await c.api.requestJson({
      method: 'PATCH',
      path: resourcePath(RESOURCES.configMaps, { namespace: ns, name: 'cm' }),
      contentType: 'application/merge-patch+json',
      body: { data: { alice: null, bob: '2' } },
    });
    await waitFor(() => forFirst.indexKeys('dataKey', 'bob').length === 1, {
      what: 'indexed update',
      ...WAIT,
    });
    assert.deepEqual(forFirst.indexKeys('dataKey', 'alice'), [], 'unfiled from the old value');
    assert.deepEqual(
      enqueued,
      ['add alice', 'update alice → bob'],
      'handlers see the old and the new object',
    );

    await c.api.requestJson({
      method: 'DELETE',
      path: resourcePath(RESOURCES.configMaps, { namespace: ns, name: 'cm' }),
    });
    await waitFor(() => forFirst.indexKeys('dataKey', 'bob').length === 0, {
      what: 'indexed delete',
      ...WAIT,
    });
    assert.deepEqual(forFirst.byIndex(INDEX.namespace, ns), []);
    assert.deepEqual(counted.counts, { lists: 1, watches: 1 }, 'still one LIST and one WATCH');
  });
});
