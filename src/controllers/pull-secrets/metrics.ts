import { Counter, Gauge, type Registry } from 'prom-client';
import { exportsObjectCounts } from '../../kube/index.ts';

/** Where each namespace stands, for `lifeboat_pull_secret_namespaces{state}`. */
export type NamespaceState = 'synced' | 'conflict' | 'excluded';

/** What one reconcile of a namespace did, for `lifeboat_pull_secret_syncs_total{result}`. */
export type SyncResult = 'created' | 'updated' | 'unchanged' | 'conflict' | 'removed' | 'source_invalid';

export interface PullSecretMetrics {
  sync(result: SyncResult): void;
}

/** Every namespace's state, read at scrape time (a Map of them will do). */
export interface NamespaceStates {
  values(): Iterable<NamespaceState>;
}

/**
 * Registers the pull-secret metrics; the namespace gauge is computed at scrape time from `states`,
 * so it can never drift from what the controller knows, and by the leader only
 * (src/kube/leader-only-metrics.ts).
 */
export function pullSecretMetrics(
  registry: Registry | undefined,
  states: NamespaceStates,
): PullSecretMetrics {
  if (!registry) return { sync: () => undefined };
  new Gauge({
    name: 'lifeboat_pull_secret_namespaces',
    help: 'Namespaces by pull-secret state (synced: copy and service accounts current; conflict: a Secret of that name lifeboat does not own; excluded)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!exportsObjectCounts(registry, this)) return;
      const counts: Record<NamespaceState, number> = { synced: 0, conflict: 0, excluded: 0 };
      for (const state of states.values()) counts[state]++;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  const syncs = new Counter({
    name: 'lifeboat_pull_secret_syncs_total',
    help: 'Reconciles of a namespace by what they did',
    labelNames: ['result'],
    registers: [registry],
  });
  return { sync: (result) => syncs.inc({ result }) };
}
