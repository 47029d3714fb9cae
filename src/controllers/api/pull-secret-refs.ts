// The Secrets a workload's pods pull with, as the kubelet collects them: the pod template's
// `imagePullSecrets`, then those of the service account the pods run as. An ImageBackup's
// `spec.pullSecretRefs` names them (the copy reads the source with them), and a private backup's
// source is checked with them before the workload is pointed at the copy.
import type { PullSecretRef } from './image-backup-schema.ts';
import { podSpecOf } from './workload-pointer.ts';
import type { LocalObjectReference, Workload, WorkloadKind } from './workload-types.ts';

/** The service account a pod runs as when its spec names none (the API server's default). */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** What is read of a ServiceAccount. */
export interface ServiceAccountLike {
  readonly imagePullSecrets?: readonly LocalObjectReference[] | undefined;
}

/** `spec.serviceAccountName` of the workload's pod template, or `default`. */
export function serviceAccountNameOf(kind: WorkloadKind, workload: Workload): string {
  const name = podSpecOf(kind, workload)?.serviceAccountName;
  return name === undefined || name === null || name === '' ? DEFAULT_SERVICE_ACCOUNT : name;
}

/**
 * The workload's refs, in the kubelet's order (pod template first, then the service account, which
 * may be absent from the cache: not created yet), every one in the workload's namespace, without
 * empty names or repeats (the first occurrence keeps its place).
 */
export function workloadPullSecretRefs(
  kind: WorkloadKind,
  workload: Workload,
  namespace: string,
  serviceAccount: ServiceAccountLike | undefined,
): PullSecretRef[] {
  const names = [
    ...(podSpecOf(kind, workload)?.imagePullSecrets ?? []),
    ...(serviceAccount?.imagePullSecrets ?? []),
  ].map((ref) => ref?.name);
  const distinct = new Set(names.filter((name): name is string => typeof name === 'string' && name !== ''));
  return [...distinct].map((name) => ({ namespace, name }));
}
