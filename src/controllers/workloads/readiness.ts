// `--require-ready`: a workload is backed up and rewritten only once its current spec has rolled
// out, so lifeboat never copies an image nothing was seen running, nor stacks its rollout on top of
// one in progress. The one exception is the rewrite.ts plan's: a workload whose every image already
// has a Ready backup moves at once (it may never become Ready without it: a source that vanished).
// Every rule first asks that the controller has seen the current spec (`status.observedGeneration >=
// metadata.generation`): counts from an older generation say nothing about the current one.
// Count fields the API server omits are 0 (it drops zero values), and so is a missing generation.
import type { WorkloadKind } from '../api/workload-types.ts';

/** The fields readiness reads, over the raw JSON of any of the four kinds. */
export interface ReadinessFields {
  readonly metadata?: { readonly generation?: number | undefined } | undefined;
  readonly spec?: { readonly replicas?: number | undefined } | undefined;
  readonly status?:
    | {
        readonly observedGeneration?: number | undefined;
        readonly replicas?: number | undefined;
        readonly readyReplicas?: number | undefined;
        readonly updatedReplicas?: number | undefined;
        readonly availableReplicas?: number | undefined;
        readonly desiredNumberScheduled?: number | undefined;
        readonly numberReady?: number | undefined;
        readonly updatedNumberScheduled?: number | undefined;
      }
    | undefined;
}

/** `spec.replicas` defaults to 1 for Deployments and StatefulSets, as the API server defaults it. */
const DEFAULT_REPLICAS = 1;

function observedCurrent(workload: ReadinessFields): boolean {
  const observed = workload.status?.observedGeneration;
  return observed !== undefined && observed >= (workload.metadata?.generation ?? 0);
}

/**
 * Whether the workload has rolled out its current spec:
 * - Deployment: updated, available and ready replicas all equal `spec.replicas`;
 * - StatefulSet: ready and updated replicas equal `spec.replicas`;
 * - DaemonSet: ready and updated pods equal `desiredNumberScheduled`;
 * - CronJob: always (its pods come and go with the schedule; there is nothing to wait for).
 */
export function isWorkloadReady(kind: WorkloadKind, workload: ReadinessFields): boolean {
  if (kind === 'CronJob') return true;
  if (!observedCurrent(workload)) return false;
  const status = workload.status ?? {};
  if (kind === 'DaemonSet') {
    const desired = status.desiredNumberScheduled ?? 0;
    return (status.numberReady ?? 0) === desired && (status.updatedNumberScheduled ?? 0) === desired;
  }
  const replicas = workload.spec?.replicas ?? DEFAULT_REPLICAS;
  const counts =
    kind === 'Deployment'
      ? [status.updatedReplicas, status.availableReplicas, status.readyReplicas]
      : [status.readyReplicas, status.updatedReplicas];
  return counts.every((count) => (count ?? 0) === replicas);
}
