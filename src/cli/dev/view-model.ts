// What `lifeboat dev` shows, computed from the controller's caches (workloads, namespaces and
// ImageBackups): copies in flight, and one row per workload container with its image, its backup
// and why it is not rewritten yet. The why is the workload controller's own decision
// (controllers/workloads/decide.ts), not a restatement of it. Pure: the renderers (live-view.ts)
// only format it.
import { parseNormalizedNamed } from '../../reference/index.ts';
import type { NamespaceObject } from '../../controllers/api/core-objects.ts';
import { imageBackupName } from '../../controllers/api/image-backup-name.ts';
import type { ImageBackup } from '../../controllers/api/image-backup-schema.ts';
import { originalImagesOf, runsBackupImage } from '../../controllers/api/original-images.ts';
import { workloadImages } from '../../controllers/api/workload-images.ts';
import type { WorkloadKind } from '../../controllers/api/workload-types.ts';
import { decideWorkload, type Decision } from '../../controllers/workloads/decide.ts';
import type { EligibilityOptions, EligibilityWorkload } from '../../controllers/workloads/eligibility.ts';
import type { PrivateImages } from '../../controllers/workloads/private-images.ts';

export interface KindedWorkload {
  readonly kind: WorkloadKind;
  readonly workload: EligibilityWorkload;
}

export interface CopyInFlight {
  readonly source: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly blobsDone: number;
  readonly blobsTotal: number;
}

export interface ImageRow {
  /** `namespace/Kind/name` */
  readonly workload: string;
  readonly container: string;
  /** What the workload runs now. */
  readonly image: string;
  /** What it ran before lifeboat rewrote it (the image itself when not rewritten). */
  readonly source: string;
  /** The backup's phase (Pending, Copying, Ready, Failed, Degraded), `-` when there is none (yet). */
  readonly backup: string;
  readonly rewritten: boolean;
  /** Why the container does not run its backup yet; empty once it does. */
  readonly pending: string;
}

export interface DevView {
  readonly copies: readonly CopyInFlight[];
  readonly rows: readonly ImageRow[];
  /** Workloads lifeboat does not leave alone, and how many of them run only backup images. */
  readonly eligible: number;
  readonly rewritten: number;
}

export interface ViewOptions {
  /** As `lifeboat run` builds them from the same flags (its `mapping` says where backups are). */
  readonly eligibility: EligibilityOptions;
  /** The namespaces' cache; a namespace not in it (not listed yet) counts as an active one. */
  readonly namespaces?: { get(name: string): NamespaceObject | undefined } | undefined;
  /** `--pin-digest`; default true, as `run`'s. */
  readonly pinDigest?: boolean | undefined;
  /** `--private-images`, as the controller is given it. */
  readonly privateImages?: PrivateImages | undefined;
  /** `--rewrite-mode`; default workloads, as `run`'s. */
  readonly rewriteMode?: 'workloads' | 'pods' | undefined;
}

export function devView(
  workloads: readonly KindedWorkload[],
  backups: readonly ImageBackup[],
  o: ViewOptions,
): DevView {
  const byName = new Map(backups.map((b) => [b.metadata.name, b]));
  const rows: ImageRow[] = [];
  let eligible = 0;
  let rewritten = 0;
  const sorted = [...workloads].sort((a, b) => label(a).localeCompare(label(b)));
  for (const item of sorted) {
    const name = item.workload.metadata?.namespace ?? '';
    const namespace = o.namespaces?.get(name) ?? { metadata: { name } };
    // Whether the pull secret is there the view cannot tell: as `lifeboat status`, it does not wait.
    const decision = decideWorkload(
      { kind: item.kind, workload: item.workload, namespace, backups: byName, pullSecretPresent: true },
      {
        eligibility: o.eligibility,
        pinDigest: o.pinDigest ?? true,
        dryRun: false,
        privateImages: o.privateImages,
        rewriteMode: o.rewriteMode,
      },
    );
    const handsOff = decision.step === 'leave' && HANDS_OFF.has(decision.reason);
    const originals = originalImagesOf(item.workload) ?? {};
    let all = true;
    for (const { container, image } of workloadImages(item.kind, item.workload)) {
      const onBackup = runsBackupImage(image, o.eligibility.mapping);
      const source = originals[container] ?? image;
      const backup = byName.get(backupNameOf(source) ?? '');
      all &&= onBackup;
      rows.push({
        workload: label(item),
        container,
        image,
        source,
        backup: backup?.status?.phase ?? (backup ? 'Pending' : '-'),
        rewritten: onBackup,
        pending: onBackup ? '' : pendingReason(decision, backup),
      });
    }
    if (!handsOff) {
      eligible++;
      if (all) rewritten++;
    }
  }
  const copies = backups
    .filter((b) => b.status?.phase === 'Copying')
    .map((b) => ({
      source: b.spec.source,
      bytesDone: b.status?.bytesDone ?? 0,
      bytesTotal: b.status?.bytesTotal ?? 0,
      blobsDone: b.status?.blobsDone ?? 0,
      blobsTotal: b.status?.blobsTotal ?? 0,
    }))
    .sort((a, b) => a.source.localeCompare(b.source));
  return { copies, rows, eligible, rewritten };
}

/** Decisions that leave a workload out of the count: lifeboat never rewrites it. */
const HANDS_OFF: ReadonlySet<string> = new Set(['namespace-excluded', 'namespace-terminating', 'ignored']);

const LEAVE_TEXT: Readonly<Record<Extract<Decision, { step: 'leave' }>['reason'], string>> = {
  'namespace-excluded': 'excluded namespace',
  'namespace-terminating': 'namespace being deleted',
  ignored: 'ignored (lifeboat.dev/ignore)',
  'not-ready': 'waiting for the rollout (--require-ready)',
  'nothing-to-back-up': 'not backed up (--exclude-images, --source-registries)',
  'dry-run-nothing-to-do': 'dry run',
  'rewrite-mode-pods': 'backed up; its Pods are moved at creation (--rewrite-mode=pods)',
};

function label(item: KindedWorkload): string {
  return `${item.workload.metadata?.namespace ?? ''}/${item.kind}/${item.workload.metadata?.name ?? ''}`;
}

/** The controller's name for the backup of `image`: parsed as the controller parses it. */
function backupNameOf(image: string): string | undefined {
  try {
    return imageBackupName(parseNormalizedNamed(image));
  } catch {
    return undefined;
  }
}

/** Why a container is not on its backup: the workload's step, with its backup's state where it waits. */
function pendingReason(decision: Decision, backup: ImageBackup | undefined): string {
  switch (decision.step) {
    case 'leave':
      return LEAVE_TEXT[decision.reason];
    case 'report-invalid':
      return 'invalid image reference: left as it is';
    case 'report-reverted':
      return 'reverted by another writer: left as it is';
    case 'unmappable':
      return `cannot be backed up: ${decision.error.message}`;
    case 'dry-run':
      return 'dry run';
    case 'skip-private':
      return 'private source, --private-images=skip: left as it is';
    case 'rewrite':
      return 'backup ready; the rewrite is due';
    default:
  }
  if (decision.step === 'wait' && decision.reason === 'pull-secret')
    return 'backup ready; the rewrite waits for the pull secret';
  if (!backup) return 'no backup yet';
  const status = backup.status;
  switch (status?.phase) {
    case 'Ready':
      return 'backup ready; the rewrite waits for the other backups';
    case 'Copying':
      return `copying ${status.blobsDone ?? 0}/${status.blobsTotal ?? '?'} blobs`;
    case 'Failed':
      return `copy failed: ${status.lastError ?? 'no reason given'}`;
    case 'Degraded':
      return `backup damaged: ${status.lastError ?? 'see its BackupDamaged Event'}`;
    default:
      return 'copy queued';
  }
}
