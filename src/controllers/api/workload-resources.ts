// The API resource of each workload kind, and the controller's queue keys (`Kind/namespace/name`):
// one queue serves four kinds, so the key names the kind.
import { RESOURCES, type Resource } from '../../kube/index.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from './workload-types.ts';

export const WORKLOAD_RESOURCES: Readonly<Record<WorkloadKind, Resource>> = Object.freeze({
  Deployment: RESOURCES.deployments,
  DaemonSet: RESOURCES.daemonSets,
  StatefulSet: RESOURCES.statefulSets,
  CronJob: RESOURCES.cronJobs,
});

export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The parts of a key `workloadKey` made; undefined for anything else (names hold no `/`). */
export function parseWorkloadKey(
  key: string,
): { kind: WorkloadKind; namespace: string; name: string } | undefined {
  const [kind, namespace, name, ...rest] = key.split('/');
  if (rest.length > 0 || !namespace || !name) return undefined;
  const known = WORKLOAD_KINDS.find((k) => k === kind);
  return known === undefined ? undefined : { kind: known, namespace, name };
}
