// In `--rewrite-mode=pods` a workload is protected through its Pods: which of the listed Pods are a
// workload's running ones, and whether they run from backups. Pure; `lifeboat status` lists the
// Pods once and hands each workload its own.
import { runsBackupImage } from '../api/original-images.ts';
import type { BackupMapping } from '../../reference/index.ts';
import type { WorkloadKind } from '../api/workload-types.ts';

/** What status reads of a Pod. */
export interface PodSummary {
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly namespace?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly deletionTimestamp?: string | undefined;
      }
    | undefined;
  readonly spec?:
    | {
        readonly containers?:
          readonly { readonly name: string; readonly image?: string | undefined }[] | undefined;
        readonly initContainers?:
          readonly { readonly name: string; readonly image?: string | undefined }[] | undefined;
      }
    | undefined;
  readonly status?: { readonly phase?: string | undefined } | undefined;
}

interface SelectorWorkload {
  readonly metadata?:
    { readonly name?: string | undefined; readonly namespace?: string | undefined } | undefined;
  readonly spec?: unknown;
}

/**
 * The running Pods of a workload: same namespace, not being deleted, not finished, and selected by
 * it: its `spec.selector.matchLabels` (Deployment, DaemonSet, StatefulSet), or for a CronJob the
 * job-name label of its Jobs (`{cronjob}-…`).
 */
export function podsOf(
  kind: WorkloadKind,
  workload: SelectorWorkload,
  pods: readonly PodSummary[],
): PodSummary[] {
  const namespace = workload.metadata?.namespace;
  const name = workload.metadata?.name ?? '';
  const selects = selectorOf(kind, workload, name);
  return pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      pod.metadata?.deletionTimestamp === undefined &&
      pod.status?.phase !== 'Succeeded' &&
      pod.status?.phase !== 'Failed' &&
      selects(pod.metadata?.labels ?? {}),
  );
}

function selectorOf(
  kind: WorkloadKind,
  workload: SelectorWorkload,
  name: string,
): (labels: Readonly<Record<string, string>>) => boolean {
  if (kind === 'CronJob')
    return (labels) =>
      (labels['batch.kubernetes.io/job-name'] ?? labels['job-name'] ?? '').startsWith(`${name}-`);
  const spec = workload.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined;
  const match = Object.entries(spec?.selector?.matchLabels ?? {});
  // A selector with no labels would select everything: it selects nothing here.
  if (match.length === 0) return () => false;
  return (labels) => match.every(([k, v]) => labels[k] === v);
}

/** Whether every container of the Pod in `containers` runs an image in the backup area. */
export function runsFromBackups(
  pod: PodSummary,
  containers: ReadonlySet<string>,
  mapping: BackupMapping,
): boolean {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all
    .filter((c) => containers.has(c.name))
    .every((c) => typeof c.image === 'string' && runsBackupImage(c.image, mapping));
}
