// Shared setup of the kube integration suites: the run's control plane, an API client on its admin
// kubeconfig, and throwaway namespaces with unique names.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ControlPlane } from '../../../src/devenv/index.ts';
import { sharedControlPlane } from '../../env/shared.ts';
import {
  createKubeApi,
  loadKubeConfig,
  type KubeApi,
  RESOURCES,
  resourceClient,
} from '../../../src/kube/index.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

export interface TestCluster {
  cp: ControlPlane;
  api: KubeApi;
  /** Creates a namespace named `<prefix>-<random>`; deleted by `close()`. */
  namespace(prefix: string): Promise<string>;
  /** A fault proxy in front of the API server and a client that goes through it; closed by `close()`. */
  faultProxy(): Promise<{ proxy: FaultProxy; api: KubeApi }>;
  /** Deletes the namespaces, then closes fault-proxy clients, proxies and the API client. */
  close(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function testCluster(): Promise<TestCluster> {
  const cp = await sharedControlPlane();
  const api = createKubeApi({ kubeConfig: loadKubeConfig(cp.kubeconfigPath), qps: 0 });
  const namespaces: string[] = [];
  const proxied: { proxy: FaultProxy; api: KubeApi }[] = [];
  return {
    cp,
    api,
    async namespace(prefix) {
      const name = uniqueName(prefix);
      await resourceClient(api, RESOURCES.namespaces).create({ metadata: { name } });
      namespaces.push(name);
      return name;
    },
    async faultProxy() {
      const proxy = await startFaultProxy(cp.kubeconfigPath);
      const pair = { proxy, api: createKubeApi({ kubeConfig: proxy.kubeConfig(), qps: 0 }) };
      proxied.push(pair);
      return pair;
    },
    async close() {
      for (const name of namespaces)
        await resourceClient(api, RESOURCES.namespaces)
          .delete(name)
          .catch(() => undefined);
      for (const p of proxied) {
        await p.api.close();
        await p.proxy.stop();
      }
      await api.close();
    },
  };
}

/** key → resourceVersion of a fresh LIST: what a converged informer cache must equal. */
export async function freshList(
  api: KubeApi,
  path: string,
  labelSelector?: string,
): Promise<Map<string, string>> {
  const body = await api.requestJson<{
    items: { metadata: { name: string; namespace?: string; resourceVersion: string } }[];
  }>({
    path,
    query: { labelSelector },
  });
  return new Map(
    body.items.map((i) => [
      i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name,
      i.metadata.resourceVersion,
    ]),
  );
}

export function cacheVersions(
  items: readonly { metadata: { name: string; namespace?: string; resourceVersion?: string } }[],
): Map<string, string> {
  return new Map(
    items.map((i) => [
      i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name,
      i.metadata.resourceVersion ?? '',
    ]),
  );
}

export function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** A pino logger writing JSON lines into memory, for asserting on what was logged. */
export function memoryLogger(level: pino.Level = 'debug'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const raw: string[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        raw.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  return {
    logger,
    lines: () =>
      raw
        .flatMap((r) => r.split('\n'))
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
