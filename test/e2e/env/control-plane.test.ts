// Smoke tests that prove the test environment is a real Kubernetes control plane: the
// controller-manager rolls Deployments out, the scheduler binds pods, kwok runs them, CRDs are
// served, and state lives in etcd across an apiserver restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, type ControlPlane } from '../../../src/devenv/index.ts';
import { sharedControlPlane } from '../../env/shared.ts';

const NS = `env-smoke-${process.pid}`;

describe('the shared control plane', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await sharedControlPlane();
    const res = await cp.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  // The control plane is shared by every suite: leave no Deployment, pods or CRD behind for
  // tests that watch the whole cluster.
  after(async () => {
    await cp.request('DELETE', `/api/v1/namespaces/${NS}`);
    await cp.request(
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.smoke.lifeboat.dev',
    );
  });

  it('has three Ready kwok nodes', async () => {
    const res = await cp.request('GET', '/api/v1/nodes');
    const nodes = (res.body as { items: { metadata: { name: string } }[] }).items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
  });

  it('rolls a 2-replica Deployment out until it is Available on kwok nodes', async () => {
    const res = await cp.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
        },
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    type Deployment = {
      status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] };
    };
    await waitFor(
      async () => {
        const d = (await cp.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`))
          .body as Deployment;
        return (
          d.status?.availableReplicas === 2 &&
          d.status.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true
        );
      },
      { what: 'deployment web Available with 2 replicas', timeoutMs: 120_000, intervalMs: 500 },
    );
    const pods = (await cp.request('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`)).body as {
      items: { spec: { nodeName?: string }; status: { phase: string } }[];
    };
    assert.equal(pods.items.length, 2);
    for (const pod of pods.items) {
      assert.match(pod.spec.nodeName ?? '', /^kwok-node-\d$/);
      assert.equal(pod.status.phase, 'Running');
    }
  });

  it('serves a CustomResourceDefinition and lists its objects', async () => {
    const group = 'smoke.lifeboat.dev';
    const crd = await cp.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    });
    assert.equal(crd.status, 201, JSON.stringify(crd.body));
    // A new CRD is served only once it is Established.
    await waitFor(async () => (await cp.request('GET', `/apis/${group}/v1/widgets`)).status === 200, {
      what: 'widgets served',
      timeoutMs: 60_000,
    });
    for (const name of ['a', 'b']) {
      const res = await cp.request('POST', `/apis/${group}/v1/widgets`, {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name },
        spec: { size: 3 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const list = (await cp.request('GET', `/apis/${group}/v1/widgets`)).body as {
      items: { metadata: { name: string }; spec: { size: number } }[];
    };
    assert.deepEqual(
      list.items.map((w) => [w.metadata.name, w.spec.size]),
      [
        ['a', 3],
        ['b', 3],
      ],
    );
    const rejected = await cp.request('POST', `/apis/${group}/v1/widgets`, {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'bad' },
      spec: { size: 'three' },
    });
    assert.equal(rejected.status, 422, 'the CRD schema is enforced');
  });

  it('keeps its objects when kube-apiserver restarts on the same etcd', async () => {
    const res = await cp.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      metadata: { name: 'survivor' },
      data: { answer: '42' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await cp.restartApiserver();
    const after = (await cp.request('GET', `/api/v1/namespaces/${NS}/configmaps/survivor`)).body as {
      data: { answer: string };
    };
    assert.equal(after.data.answer, '42');
  });
});
