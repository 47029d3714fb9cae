// Every benchmark Deployment as the benchmark sees it through one list + watch (label
// `lifeboat-bench`), with the local time each change arrived: when its image changed, when it became
// Available, when its rollout last completed. All the benchmark's timings come from here, so lifeboat,
// the bare rollout and the latency probe are timed by the same clock and the same watch delay.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient, WatchEvent } from './kube.ts';

export const BENCH_LABEL = 'lifeboat-bench';
const PAGE = 500;
/** Reconnects in a row that may fail before the watch gives up (and every wait with it). */
const MAX_FAILURES = 20;
/** Longest pause between reconnects (200 ms more after each failure up to here). */
const MAX_PAUSE_MS = 2_000;

interface Deployment {
  metadata: { name: string; namespace: string; generation?: number; resourceVersion?: string };
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}

export interface DeploymentState {
  readonly key: string;
  /** The image of its first container now. */
  image: string;
  /** Times the image changed after the benchmark first saw the Deployment. */
  imageChanges: number;
  generation: number;
  /**
   * When the watch first saw it: for a Deployment created while the watch runs (the latency probe),
   * its creation as any watcher (lifeboat too) sees it.
   */
  readonly seenAt: number;
  /** First time the image was seen to start with `rewrittenPrefix` (lifeboat's patch observed). */
  rewrittenAt?: number;
  /** First time the Available condition was seen True. */
  availableAt?: number;
  /** When the rollout of the current generation was last seen complete; unset while it is not. */
  rolledOutSince?: number;
}

export interface DeploymentWatch {
  readonly states: ReadonlyMap<string, DeploymentState>;
  /** Fails waits once the watch has given up. */
  readonly failure: () => string | undefined;
  stop(): void;
}

const complete = (d: Deployment): boolean => {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want
  );
};

/** Lists and watches; resolves once the initial list is in. `rewrittenPrefix`: `backupHost/`. */
export async function watchDeployments(
  client: AdminClient,
  rewrittenPrefix: string,
  /** `maxFailures`: more for a run that restarts the apiserver (each failure waits ≤ 2 s). */
  options: { readonly maxFailures?: number } = {},
): Promise<DeploymentWatch> {
  const maxFailures = options.maxFailures ?? MAX_FAILURES;
  const states = new Map<string, DeploymentState>();
  const controller = new AbortController();
  let failure: string | undefined;

  const apply = (d: Deployment, at: number): void => {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    const image = d.spec.template.spec.containers[0]?.image ?? '';
    let state = states.get(key);
    if (state === undefined) {
      state = { key, image, imageChanges: 0, generation: d.metadata.generation ?? 0, seenAt: at };
      states.set(key, state);
    } else if (state.image !== image) {
      state.image = image;
      state.imageChanges++;
    }
    state.generation = d.metadata.generation ?? 0;
    if (state.rewrittenAt === undefined && image.startsWith(rewrittenPrefix)) state.rewrittenAt = at;
    const available = d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    if (state.availableAt === undefined && available) state.availableAt = at;
    if (!complete(d)) state.rolledOutSince = undefined;
    else state.rolledOutSince ??= at;
  };

  const list = async (): Promise<string> => {
    let next: string | undefined;
    let resourceVersion: string;
    do {
      const query = new URLSearchParams({ labelSelector: BENCH_LABEL, limit: String(PAGE) });
      if (next) query.set('continue', next);
      const page = await client.must<{
        metadata: { resourceVersion: string; continue?: string };
        items: Deployment[];
      }>('GET', `/apis/apps/v1/deployments?${query.toString()}`);
      const at = Date.now();
      for (const d of page.items) apply(d, at);
      resourceVersion = page.metadata.resourceVersion;
      next = page.metadata.continue || undefined;
    } while (next);
    return resourceVersion;
  };

  let resourceVersion = await list();
  void (async () => {
    let failures = 0;
    while (!controller.signal.aborted) {
      let gone = false;
      try {
        const query = new URLSearchParams({
          watch: '1',
          labelSelector: BENCH_LABEL,
          resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: '300',
        });
        await client.watchStream(
          `/apis/apps/v1/deployments?${query.toString()}`,
          (event: WatchEvent, at: number) => {
            if (event.type === 'ERROR') {
              gone = event.object.code === 410;
              return;
            }
            const rv = event.object.metadata?.resourceVersion;
            if (rv) resourceVersion = rv;
            if (event.type === 'ADDED' || event.type === 'MODIFIED')
              apply(event.object as unknown as Deployment, at);
            else if (event.type === 'DELETED') {
              const d = event.object as unknown as Deployment;
              states.delete(`${d.metadata.namespace}/${d.metadata.name}`);
            }
          },
          controller.signal,
        );
        if (gone) resourceVersion = await list();
        failures = 0;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (++failures > maxFailures) {
          failure = `the Deployment watch failed ${failures} times in a row: ${(error as Error).message}`;
          return;
        }
        await sleep(Math.min(200 * failures, MAX_PAUSE_MS));
      }
    }
  })();
  return {
    states,
    failure: () => failure,
    stop: () => controller.abort(),
  };
}
