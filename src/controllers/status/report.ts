// `lifeboat status` as one pure function: the listed objects and `run`'s options in, the two
// tables' rows out (sorted, so the same cluster always prints the same). The CLI only lists the
// objects and prints the rows.
import type { ImageBackup } from '../api/image-backup-schema.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import type { EligibilityOptions } from '../workloads/eligibility.ts';
import { workloadKey } from '../api/workload-resources.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import { backupStatus, type BackupStatus } from './backup-status.ts';
import { latestWorkloadEvents, type EventLike } from './latest-events.ts';
import { podsOf, type PodSummary } from './workload-pods.ts';
import { workloadStatus, type StatusWorkload, type WorkloadStatus } from './workload-status.ts';
import type { PrivateImages } from '../workloads/private-images.ts';

export interface StatusInput {
  /** Workloads of the kinds `run` watches, each with its kind (list items carry none). */
  readonly workloads: readonly { readonly kind: WorkloadKind; readonly object: StatusWorkload }[];
  readonly namespaces: readonly NamespaceObject[];
  readonly imageBackups: readonly ImageBackup[];
  /** `events.k8s.io/v1` Events; only lifeboat's about workloads are read. */
  readonly events: readonly EventLike[];
  /** The Events' `reportingController` that is lifeboat's. */
  readonly reportingController: string;
  readonly eligibility: EligibilityOptions;
  readonly pinDigest?: boolean | undefined;
  /** `--private-images`; `skip` when absent. */
  readonly privateImages?: PrivateImages | undefined;
  /** `--rewrite-mode`; in pods mode a workload is judged by its running Pods too. */
  readonly rewriteMode?: 'workloads' | 'pods' | undefined;
  /** pods mode: the Pods of the namespaces shown (each workload's are picked by podsOf). */
  readonly pods?: readonly PodSummary[] | undefined;
  /**
   * Only this namespace's workloads, and only the backups they use (ImageBackups are cluster-scoped
   * and shared). Undefined: every workload and every backup.
   */
  readonly onlyNamespace?: string | undefined;
}

export interface StatusReport {
  readonly imageBackups: readonly BackupStatus[];
  readonly workloads: readonly WorkloadStatus[];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function statusReport(input: StatusInput): StatusReport {
  const namespaces = new Map(input.namespaces.map((ns) => [ns.metadata.name, ns]));
  const backups = new Map(input.imageBackups.map((b) => [b.metadata.name, b]));
  const events = latestWorkloadEvents(input.events, input.reportingController);
  const workloads: WorkloadStatus[] = [];
  for (const { kind, object } of input.workloads) {
    const ns = object.metadata?.namespace ?? '';
    const namespace = namespaces.get(ns);
    // A namespace listed before its workload was created: the next run shows it.
    if (namespace === undefined) continue;
    if (input.onlyNamespace !== undefined && ns !== input.onlyNamespace) continue;
    workloads.push(
      workloadStatus({
        kind,
        workload: object,
        namespace,
        backups,
        latestEvent: events.get(workloadKey(kind, ns, object.metadata?.name ?? '')),
        eligibility: input.eligibility,
        pinDigest: input.pinDigest,
        privateImages: input.privateImages,
        rewriteMode: input.rewriteMode,
        ...(input.rewriteMode === 'pods' ? { pods: podsOf(kind, object, input.pods ?? []) } : {}),
      }),
    );
  }
  workloads.sort(
    (a, b) => byText(a.namespace, b.namespace) || byText(a.kind, b.kind) || byText(a.name, b.name),
  );

  const users = new Map<string, string[]>();
  for (const w of workloads) {
    for (const name of w.backups) {
      const list = users.get(name) ?? [];
      list.push(workloadKey(w.kind, w.namespace, w.name));
      users.set(name, list);
    }
  }
  const shown = input.imageBackups.filter(
    (b) => input.onlyNamespace === undefined || users.has(b.metadata.name),
  );
  return {
    imageBackups: shown
      .map((b) => backupStatus(b, users.get(b.metadata.name) ?? []))
      .sort((a, b) => byText(a.name, b.name)),
    workloads,
  };
}
