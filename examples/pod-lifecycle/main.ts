/**
 * Seed 002's demo-controller on Lifeboat's runtime: an informer watches pods, its handlers only
 * enqueue keys, and a controller's workers reconcile each key by reading the cache and logging what
 * happened to the pod since it was last seen: `pod added`, `pod updated` (with what changed: phase,
 * node, container readiness and restarts) or `pod deleted`.
 *
 * Level-based, as controllers should be: several events for one key before a worker gets to it are
 * reconciled once, against the latest state, so intermediate states may be folded into one update.
 *
 * Run it against any cluster: `node examples/pod-lifecycle/main.ts [--namespace NS]`
 * (kubeconfig from KUBECONFIG, in-cluster, or ~/.kube/config).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import {
  createController,
  createInformer,
  RESOURCES,
  createKubeApi,
  loadKubeConfig,
  objectKey,
} from '../../src/kube/index.ts';
import { describeChanges, summarizePod, type PodSummary } from './pod-summary.ts';

export interface PodLifecycleOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** Aborting it stops the example; `runPodLifecycle` resolves once everything is closed. */
  signal: AbortSignal;
  /** Watch one namespace; all namespaces when absent. */
  namespace?: string;
  workers?: number;
  registry?: Registry;
}

export async function runPodLifecycle(options: PodLifecycleOptions): Promise<void> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const api = createKubeApi({ kubeConfig: options.kubeConfig, logger });
  const informer = createInformer({
    api,
    resource: RESOURCES.pods,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    name: 'pods',
    logger,
    registry: options.registry,
  });
  /** What we last reported per key: the "old" side of an update, and proof that a delete is news. */
  const seen = new Map<string, PodSummary>();

  const controller = createController({
    name: 'pod-lifecycle',
    workers: options.workers ?? 2,
    logger,
    registry: options.registry,
    reconcile(key) {
      const pod = informer.get(key);
      const before = seen.get(key);
      if (pod === undefined) {
        if (before !== undefined) {
          seen.delete(key);
          logger.info({ key, phase: before.phase, node: before.node }, 'pod deleted');
        }
        return;
      }
      const now = summarizePod(pod);
      seen.set(key, now);
      if (before === undefined) {
        logger.info({ key, phase: now.phase, node: now.node }, 'pod added');
        return;
      }
      const changes = describeChanges(before, now);
      if (changes.length > 0) logger.info({ key, changes }, 'pod updated');
    },
  });
  const enqueue = (obj: Parameters<typeof objectKey>[0]): void => controller.enqueue(objectKey(obj));
  informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue });

  informer.start();
  try {
    const synced = await Promise.race([
      informer.synced,
      new Promise<false>((resolve) => {
        if (options.signal.aborted) resolve(false);
        options.signal.addEventListener('abort', () => resolve(false), { once: true });
      }),
    ]);
    if (!synced) return;
    logger.info({ pods: informer.size }, 'pod cache synced; watching');
    await controller.run(options.signal);
  } finally {
    await informer.stop();
    await api.close();
  }
}

if (import.meta.main) {
  const nsIndex = process.argv.indexOf('--namespace');
  const namespace = nsIndex === -1 ? undefined : process.argv[nsIndex + 1];
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await runPodLifecycle({
    kubeConfig: loadKubeConfig(),
    logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }),
    signal: stop.signal,
    ...(namespace ? { namespace } : {}),
  });
}
