/**
 * What the pod-lifecycle example reports about a pod, and how two reports differ. Pure.
 * Mirrors seed 002's demo-controller: phase, node, and per-container readiness and restarts.
 */
import type { KubeObject } from '../../src/kube/index.ts';

export interface ContainerSummary {
  ready: boolean;
  restarts: number;
}

export interface PodSummary {
  phase: string;
  node: string;
  containers: Record<string, ContainerSummary>;
}

interface PodShape {
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: { phase?: string; containerStatuses?: { name: string; ready?: boolean; restartCount?: number }[] };
}

export function summarizePod(pod: KubeObject): PodSummary {
  const p = pod as KubeObject & PodShape;
  const containers: Record<string, ContainerSummary> = {};
  for (const c of p.spec?.containers ?? []) containers[c.name] = { ready: false, restarts: 0 };
  for (const s of p.status?.containerStatuses ?? []) {
    containers[s.name] = { ready: s.ready === true, restarts: s.restartCount ?? 0 };
  }
  return { phase: p.status?.phase ?? 'Unknown', node: p.spec?.nodeName ?? '', containers };
}

/** Human-readable changes from `old` to `now`, e.g. `phase Pending→Running`; empty when nothing we report changed. */
export function describeChanges(old: PodSummary, now: PodSummary): string[] {
  const changes: string[] = [];
  if (old.phase !== now.phase) changes.push(`phase ${old.phase}→${now.phase}`);
  if (old.node !== now.node) changes.push(`node ${old.node || '(none)'}→${now.node || '(none)'}`);
  const names = new Set([...Object.keys(old.containers), ...Object.keys(now.containers)]);
  for (const name of [...names].sort()) {
    const a = old.containers[name];
    const b = now.containers[name];
    if (!a || !b) {
      changes.push(`container ${name} ${a ? 'removed' : 'added'}`);
      continue;
    }
    if (a.ready !== b.ready) changes.push(`container ${name} ready ${a.ready}→${b.ready}`);
    if (a.restarts !== b.restarts) changes.push(`container ${name} restarts ${a.restarts}→${b.restarts}`);
  }
  return changes;
}
