// The workload set: N one-replica Deployments in N/10 namespaces over N/5 small images (a 64 KiB base
// layer every image shares plus a 1 KiB layer of its own), pushed with regctl (bench/copy/fixtures.ts),
// never with lifeboat's code. Deployment j sits in namespace `bench-(j/10)` and runs image `img-(j mod
// N/5)`, so every image is used by 5 Deployments in 5 different namespaces.
import { randomBytes } from 'node:crypto';
import { waitFor } from '../../src/devenv/index.ts';
import { createPusher, pushImage } from '../copy/fixtures.ts';
import type { ToolEnv } from '../copy/tool-env.ts';
import { BENCH_LABEL } from './deployment-watch.ts';
import type { AdminClient } from './kube.ts';

const KiB = 1024;
/** regctl processes at once (each image is four: two blobs, config, manifest). */
const PUSH_PARALLEL = 4;
/** API calls the benchmark has in flight at once. */
export const API_PARALLEL = 32;

export interface WorkloadSet {
  readonly workloads: number;
  readonly namespaces: readonly string[];
  /** `sourceProxyHost/bench/img-i:1`, as the Deployments reference them. */
  readonly images: readonly string[];
  /** `namespace/name` → image, for the N Deployments lifeboat converges. */
  readonly members: ReadonlyMap<string, string>;
}

export function planWorkloads(workloads: number, sourceHost: string): WorkloadSet {
  const namespaces = Array.from({ length: Math.max(1, Math.ceil(workloads / 10)) }, (_, k) => `bench-${k}`);
  const images = Array.from(
    { length: Math.max(1, Math.ceil(workloads / 5)) },
    (_, i) => `${sourceHost}/bench/img-${i}:1`,
  );
  const members = new Map<string, string>();
  for (let j = 0; j < workloads; j++) {
    members.set(`bench-${Math.floor(j / 10)}/w-${j}`, images[j % images.length]!);
  }
  return { workloads, namespaces, images, members };
}

/** Runs `fn` over `items`, `limit` at a time; the first failure fails the whole. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function pushImages(count: number, registryHost: string, tools: ToolEnv): Promise<void> {
  tools.allowHttp([registryHost]);
  const pusher = createPusher(registryHost, tools);
  const base = randomBytes(64 * KiB);
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    PUSH_PARALLEL,
    async (i) => {
      await pushImage(pusher, {
        repo: `bench/img-${i}`,
        tag: '1',
        layers: 1,
        layerSize: KiB,
        shared: [base],
        parallel: 1,
      });
    },
  );
}

/** Creates the namespaces and waits until each has its `default` ServiceAccount (pods need it). */
export async function createNamespaces(
  admin: AdminClient,
  names: readonly string[],
  timeoutMs: number,
): Promise<void> {
  await mapLimit(names, API_PARALLEL, async (name) => {
    await admin.must('POST', '/api/v1/namespaces', { metadata: { name, labels: { [BENCH_LABEL]: 'ns' } } });
  });
  const wanted = new Set(names);
  await waitFor(
    async () => {
      const list = await admin.must<{ items: { metadata: { namespace: string } }[] }>(
        'GET',
        '/api/v1/serviceaccounts?fieldSelector=metadata.name%3Ddefault',
      );
      return list.items.filter((sa) => wanted.has(sa.metadata.namespace)).length === wanted.size;
    },
    { what: `the default ServiceAccount in ${names.length} namespaces`, timeoutMs, intervalMs: 1_000 },
  );
}

export function deploymentManifest(name: string, image: string, role: string): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { [BENCH_LABEL]: role } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }], terminationGracePeriodSeconds: 0 },
      },
    },
  };
}

export async function createDeployment(
  admin: AdminClient,
  key: string,
  image: string,
  role: string,
): Promise<void> {
  const [namespace, name] = key.split('/') as [string, string];
  await admin.must(
    'POST',
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    deploymentManifest(name, image, role),
  );
}

/** The bare rollout's change: the container's image set by one strategic-merge patch, as lifeboat does. */
export async function patchImage(admin: AdminClient, key: string, image: string): Promise<void> {
  const [namespace, name] = key.split('/') as [string, string];
  await admin.must('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, {
    spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
  });
}
