// `lifeboat verify` as two pure steps around the registry checks: the listed objects → each
// workload's decision (decideWorkload, the controller's own) and the backup images to check; then
// the decisions and the findings → one verdict per container, sorted, with the summary counts.
import type { NamespaceObject } from '../api/core-objects.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { workloadKey } from '../api/workload-resources.ts';
import type { WorkloadEvent } from '../status/latest-events.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import { decideWorkload, type Decision } from '../workloads/decide.ts';
import type { EligibilityOptions, EligibilityWorkload } from '../workloads/eligibility.ts';
import type { BackupFindings } from './findings.ts';
import {
  backupReferences,
  containerVerdicts,
  type ContainerVerdict,
  type Verdict,
  type VerdictInput,
} from './verdict.ts';
import type { PrivateImages } from '../workloads/private-images.ts';
import { podsOf, type PodSummary } from '../status/workload-pods.ts';

export interface ProtectionInput {
  /** Workloads of the kinds `run` watches, each with its kind (list items carry none). */
  readonly workloads: readonly { readonly kind: WorkloadKind; readonly object: EligibilityWorkload }[];
  readonly namespaces: readonly NamespaceObject[];
  readonly imageBackups: readonly ImageBackup[];
  readonly eligibility: EligibilityOptions;
  readonly pinDigest: boolean;
  /** `--private-images`; `skip` when absent. */
  readonly privateImages?: PrivateImages | undefined;
  /** `--pull-secret-name` when `--backup-pull-secret` is given; undefined: no pull secret to check. */
  readonly pullSecretName?: string | undefined;
  /** The namespaces that hold the pull secret (read only when `pullSecretName` is set). */
  readonly pullSecretNamespaces: ReadonlySet<string>;
  /**
   * `workloadKey` → lifeboat's latest Event about it (status's latestWorkloadEvents): what only the
   * controller's registry checks know (PrivateSourceSkipped before any backup exists). Optional.
   */
  readonly latestEvents?: ReadonlyMap<string, WorkloadEvent> | undefined;
  /** Only this namespace's workloads; undefined: every namespace. */
  readonly onlyNamespace?: string | undefined;
  /** `--rewrite-mode`; in pods mode a workload is judged by its running Pods too. */
  readonly rewriteMode?: 'workloads' | 'pods' | undefined;
  /** pods mode: the Pods of the namespaces verified (each workload's are picked by podsOf). */
  readonly pods?: readonly PodSummary[] | undefined;
}

export interface DecidedWorkload {
  readonly kind: WorkloadKind;
  readonly workload: EligibilityWorkload;
  readonly decision: Decision;
  readonly pullSecret: { readonly name: string; readonly present: boolean } | undefined;
  readonly latestEvent?: WorkloadEvent | undefined;
  /** pods mode: its running Pods and where backups live. */
  readonly pods?: VerdictInput['pods'];
}

export interface ProtectionPlan {
  readonly workloads: readonly DecidedWorkload[];
  /** Every backup image some workload runs, once, sorted: what the registry is asked about. */
  readonly references: readonly string[];
  readonly backups: ReadonlyMap<string, ImageBackup>;
}

export interface ProtectionRow extends ContainerVerdict {
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly name: string;
}

export interface ProtectionReport {
  readonly rows: readonly ProtectionRow[];
  readonly summary: Readonly<Record<Verdict, number>>;
  /** `--shallow`: blobs were not checked. */
  readonly shallow: boolean;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function planProtection(input: ProtectionInput): ProtectionPlan {
  const namespaces = new Map(input.namespaces.map((ns) => [ns.metadata.name, ns]));
  const backups = new Map(input.imageBackups.map((b) => [b.metadata.name, b]));
  const workloads: DecidedWorkload[] = [];
  for (const { kind, object } of input.workloads) {
    const ns = object.metadata?.namespace ?? '';
    if (input.onlyNamespace !== undefined && ns !== input.onlyNamespace) continue;
    const namespace = namespaces.get(ns);
    // A namespace listed before its workload was created: the next run sees it.
    if (namespace === undefined) continue;
    const pullSecret =
      input.pullSecretName === undefined
        ? undefined
        : { name: input.pullSecretName, present: input.pullSecretNamespaces.has(ns) };
    const decision = decideWorkload(
      { kind, workload: object, namespace, backups, pullSecretPresent: pullSecret?.present ?? true },
      {
        eligibility: input.eligibility,
        pinDigest: input.pinDigest,
        pullSecretName: pullSecret?.name,
        dryRun: false,
        privateImages: input.privateImages,
        rewriteMode: input.rewriteMode,
      },
    );
    const latestEvent = input.latestEvents?.get(workloadKey(kind, ns, object.metadata?.name ?? ''));
    const pods =
      input.rewriteMode === 'pods'
        ? { running: podsOf(kind, object, input.pods ?? []), mapping: input.eligibility.mapping }
        : undefined;
    workloads.push({ kind, workload: object, decision, pullSecret, latestEvent, pods });
  }
  const references = new Set(workloads.flatMap((w) => backupReferences(w.decision)));
  return { workloads, references: [...references].sort(), backups };
}

export function protectionReport(
  plan: ProtectionPlan,
  findings: ReadonlyMap<string, BackupFindings>,
  shallow: boolean,
): ProtectionReport {
  const rows = plan.workloads.flatMap(({ kind, workload, decision, pullSecret, latestEvent, pods }) =>
    containerVerdicts({
      kind,
      workload,
      decision,
      backups: plan.backups,
      pullSecret,
      latestEvent,
      pods,
      findings: (reference) => findings.get(reference),
    }).map((v): ProtectionRow => ({
      namespace: workload.metadata?.namespace ?? '',
      kind,
      name: workload.metadata?.name ?? '',
      ...v,
    })),
  );
  // Stable: a workload's containers stay in spec order (init containers first).
  rows.sort((a, b) => byText(a.namespace, b.namespace) || byText(a.kind, b.kind) || byText(a.name, b.name));
  const summary = { protected: 0, exposed: 0, excluded: 0 };
  for (const row of rows) summary[row.verdict]++;
  return { rows, summary, shallow };
}
