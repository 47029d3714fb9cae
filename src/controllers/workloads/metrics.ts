import { Counter, type Registry } from 'prom-client';
import { perRegistry } from '../../common/metric-families.ts';
import type { WorkloadKind } from '../api/workload-types.ts';

/** What happened to a workload, for `lifeboat_rewrites_total{kind,result}`. */
export type RewriteResult = 'rewritten' | 'conflict' | 'reverted' | 'access_denied' | 'dry_run';

export interface RewriteMetrics {
  rewrite(kind: WorkloadKind, result: RewriteResult): void;
}

const families = perRegistry(
  (registry) =>
    new Counter({
      name: 'lifeboat_rewrites_total',
      help: 'Workload rewrites by kind and result (rewritten; conflict: a guarded patch lost to another writer; reverted: another writer put the originals back; access_denied: a private backup the namespace cannot read; dry_run: would rewrite)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
);

export function rewriteMetrics(registry: Registry | undefined): RewriteMetrics {
  if (!registry) return { rewrite: () => undefined };
  const total = families(registry);
  return { rewrite: (kind, result) => total.inc({ kind, result }) };
}
