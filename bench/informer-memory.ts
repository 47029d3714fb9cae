// Heap used by the informer cache per 1,000 Deployments, with the default transform (managedFields
// and kubectl's last-applied annotation dropped) and without any transform, against a real
// kube-apiserver.
//
//   node --expose-gc bench/informer-memory.ts [--count 1000] [--kubeconfig PATH]
//
// Without --kubeconfig it starts a private control plane (etcd + kube-apiserver from tools/) and
// stops it at the end. The Deployments have replicas 0 (no pods) and are created the way
// `kubectl apply` creates them: with a last-applied-configuration annotation and managedFields.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane } from '../src/devenv/index.ts';
import {
  createInformer,
  RESOURCES,
  resourceClient,
  createKubeApi,
  loadKubeConfig,
  type KubeApi,
  type KubeObject,
} from '../src/kube/index.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    kubeconfig: { type: 'string' },
    rounds: { type: 'string', default: '2' },
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc bench/informer-memory.ts');
  process.exit(2);
}

function deployment(name: string): KubeObject {
  const body = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, tier: 'web', team: 'bench' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/team/${name}:1.2.3`,
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'PORT', value: '8080' },
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
            },
            { name: 'sidecar', image: 'registry.example.com/infra/proxy:2.0.0', args: ['--port=9090'] },
          ],
        },
      },
    },
  };
  const lastApplied = JSON.stringify(body);
  return {
    ...body,
    metadata: {
      ...body.metadata,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
    },
  };
}

async function createAll(api: KubeApi, namespace: string): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < COUNT) {
      const i = next++;
      await resourceClient(api, RESOURCES.deployments).create(deployment(`app-${i}`), {
        namespace,
        fieldManager: 'kubectl-client-side-apply',
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

async function measure(
  api: KubeApi,
  namespace: string,
  transform: ((o: KubeObject) => KubeObject) | undefined,
): Promise<number> {
  const base = heapAfterGc();
  const informer = createInformer({
    api,
    resource: RESOURCES.deployments,
    namespace,
    transform,
  });
  informer.start();
  await informer.synced;
  if (informer.size !== COUNT) throw new Error(`expected ${COUNT} cached Deployments, got ${informer.size}`);
  const loaded = heapAfterGc();
  await informer.stop();
  // The aborted watch's stream lets go of the informer a few ticks after stop(): let it, so the next
  // round's baseline does not include this cache.
  await new Promise((r) => setTimeout(r, 200));
  return ((loaded - base) / informer.size) * 1000;
}

let cp: ControlPlane | undefined;
const kubeconfigPath = values.kubeconfig ?? (cp = await startControlPlane({ nodes: 0 })).kubeconfigPath;
const api = createKubeApi({ kubeConfig: loadKubeConfig(kubeconfigPath), qps: 0 });
const namespace = `bench-informer-${randomBytes(3).toString('hex')}`;
try {
  await resourceClient(api, RESOURCES.namespaces).create({ metadata: { name: namespace } });
  const t0 = Date.now();
  await createAll(api, namespace);
  console.log(`created ${COUNT} Deployments in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const sample = await resourceClient(api, RESOURCES.deployments).get('app-0', { namespace });
  console.log(`one Deployment as served: ${JSON.stringify(sample).length} bytes of JSON`);

  const results: Record<string, number[]> = { 'default transform': [], 'no transform': [] };
  for (let r = 0; r < ROUNDS; r++) {
    results['no transform']!.push(await measure(api, namespace, (o) => o));
    results['default transform']!.push(await measure(api, namespace, undefined));
  }
  for (const [name, samples] of Object.entries(results)) {
    const mib = samples.map((b) => (b / 1024 / 1024).toFixed(2));
    console.log(`${name}: heap per 1,000 cached Deployments = ${mib.join(' / ')} MiB (rounds)`);
  }
  const best = (k: string) => Math.min(...results[k]!);
  console.log(`saving: ${(100 * (1 - best('default transform') / best('no transform'))).toFixed(0)}%`);
} finally {
  await resourceClient(api, RESOURCES.namespaces)
    .delete(namespace)
    .catch(() => undefined);
  await api.close();
  await cp?.stop();
}
