import { Counter, Gauge, type Registry } from 'prom-client';
import { exportsObjectCounts } from '../../kube/index.ts';
import { perRegistry } from '../../common/metric-families.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import { PROTECTIONS, type Protection } from './protection.ts';

/** What happened to a workload, for `lifeboat_rewrites_total{kind,result}`. */
export type RewriteResult = 'rewritten' | 'conflict' | 'reverted' | 'access_denied' | 'dry_run';

export interface RewriteMetrics {
  rewrite(kind: WorkloadKind, result: RewriteResult): void;
}

/** Every workload's protection, computed when asked (at scrape time) from the controller's caches. */
export type Protections = () => Iterable<Protection>;

/** How many workloads wait for `--max-rewrites-per-minute` now (rewrite-pacing.ts). */
export type RewriteDue = () => number;

const families = perRegistry((registry) => {
  // Each workload controller reporting into this Registry adds its workloads (one per process).
  const sources = new Set<Protections>();
  const dues = new Set<RewriteDue>();
  new Gauge({
    name: 'lifeboat_workloads',
    help: 'Workloads by protection, from the caches (protected: every image runs from a Ready backup and the namespace holds the pull secret; exposed: eligible, not protected yet; excluded: namespace excluded, ignored, or every image left out)',
    labelNames: ['protection'],
    registers: [registry],
    collect() {
      // The leader alone exports it (src/kube/leader-only-metrics.ts).
      if (!exportsObjectCounts(registry, this)) return;
      const counts = new Map<Protection, number>(PROTECTIONS.map((p) => [p, 0]));
      for (const source of sources) for (const p of source()) counts.set(p, (counts.get(p) ?? 0) + 1);
      for (const [protection, n] of counts) this.set({ protection }, n);
    },
  });
  const rewrites = new Counter({
    name: 'lifeboat_rewrites_total',
    help: 'Workload rewrites by kind and result (rewritten; conflict: a guarded patch lost to another writer; reverted: another writer put the originals back; access_denied: a private backup the namespace cannot read; dry_run: would rewrite)',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  new Gauge({
    name: 'lifeboat_workloads_rewrite_due',
    help: 'Workloads ready to be rewritten that wait for --max-rewrites-per-minute (each rewrite is a rollout); 0 on followers and when unlimited',
    registers: [registry],
    collect() {
      let n = 0;
      for (const due of dues) n += due();
      this.set(n);
    },
  });
  return { sources, dues, rewrites };
});

/**
 * Registers the workload metrics; `lifeboat_workloads{protection}` is computed at scrape time from
 * `protections`, and `lifeboat_workloads_rewrite_due` from `rewriteDue`, so they can never drift
 * from what the controller knows. A no-op without a registry.
 */
export function workloadMetrics(
  registry: Registry | undefined,
  protections: Protections,
  rewriteDue: RewriteDue = () => 0,
): RewriteMetrics {
  if (!registry) return { rewrite: () => undefined };
  const f = families(registry);
  f.sources.add(protections);
  f.dues.add(rewriteDue);
  return { rewrite: (kind, result) => f.rewrites.inc({ kind, result }) };
}
