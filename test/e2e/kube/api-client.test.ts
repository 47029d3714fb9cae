// The API client against the real API server: one shared TLS connection, and 429/5xx handling
// through the fault proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createKubeApi,
  loadKubeConfig,
  type KubeApi,
  KubeApiError,
  RESOURCES,
  resourceClient,
} from '../../../src/kube/index.ts';
import { testCluster, type TestCluster } from './cluster.ts';
import { PASS, startFaultProxy, type FaultProxy } from './fault-proxy.ts';

describe('Kubernetes API client on the real API server', () => {
  let c: TestCluster;
  let proxy: FaultProxy;
  let proxied: KubeApi;
  before(async () => {
    c = await testCluster();
    proxy = await startFaultProxy(c.cp.kubeconfigPath);
    proxied = createKubeApi({ kubeConfig: proxy.kubeConfig(), qps: 0, retry: { initialMs: 50, maxMs: 200 } });
  });
  after(async () => {
    await proxied.close();
    await proxy.stop();
    await c.close();
  });

  it('serves typed and raw calls over one TLS connection of the shared agent', async (t) => {
    const api = createKubeApi({ kubeConfig: loadKubeConfig(c.cp.kubeconfigPath) });
    let connects = 0;
    api.agent.on('connect', () => connects++);
    try {
      for (let i = 0; i < 10; i++) await resourceClient(api, RESOURCES.namespaces).list({ limit: 1 });
      for (let i = 0; i < 10; i++) await resourceClient(api, RESOURCES.deployments).list({ limit: 1 });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          api.requestJson({ path: '/api/v1/namespaces', query: { limit: 1 } }),
        ),
      );
      t.diagnostic(`${connects} TLS connection(s) for 30 calls`);
      assert.ok(connects >= 1 && connects <= 2, `30 calls used ${connects} connections`);
    } finally {
      await api.close();
    }
  });

  it('retries a 429 with Retry-After and 503s on GET, and gives up after the retry budget', async () => {
    const ns = await c.namespace('client');
    let served = 0;
    proxy.setFault((req) => {
      if (!req.path.endsWith(`/namespaces/${ns}/configmaps`)) return { kind: 'pass' };
      served++;
      if (served === 1) return { kind: 'status', status: 429, retryAfter: '1' };
      if (served === 3) return { kind: 'status', status: 503 };
      return { kind: 'pass' };
    });
    const created = await resourceClient(proxied, RESOURCES.configMaps).create(
      { metadata: { name: 'x' } },
      { namespace: ns },
    );
    assert.equal(created.metadata?.name, 'x', 'POST retried after 429 (the server did not act on it)');
    const list = await resourceClient(proxied, RESOURCES.configMaps).list({ namespace: ns });
    assert.ok(
      list.items.some((i) => i.metadata?.name === 'x'),
      'GET retried after 503',
    );
    assert.equal(served, 4);

    proxy.setFault((req) =>
      req.path.endsWith(`/namespaces/${ns}/configmaps`) ? { kind: 'status', status: 503 } : { kind: 'pass' },
    );
    const before = proxy.requests.length;
    await assert.rejects(
      resourceClient(proxied, RESOURCES.configMaps).list({ namespace: ns }),
      (err: unknown) => err instanceof KubeApiError && err.status === 503,
    );
    assert.equal(proxy.requests.length - before, 4, 'one attempt and three retries');
    proxy.setFault(PASS);
  });
});
