// What `lifeboat dev` shows, computed from the controller's caches (workloads and ImageBackups):
// copies in flight, and one row per workload container with its image, its backup and why it is
// not rewritten yet. Pure: the renderers (live-view.ts) only format it.
import { parse } from '../../reference/index.ts';
import { imageBackupName } from '../../controllers/api/image-backup-name.ts';
import type { ImageBackup } from '../../controllers/api/image-backup-schema.ts';
import { originalImagesOf } from '../../controllers/api/original-images.ts';
import { workloadImages } from '../../controllers/api/workload-images.ts';
import type { Workload, WorkloadKind } from '../../controllers/api/workload-types.ts';

export interface KindedWorkload {
  readonly kind: WorkloadKind;
  readonly workload: Workload;
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
  /** The backup's phase (Pending, Copying, Ready, Failed), `-` when there is none (yet). */
  readonly backup: string;
  readonly rewritten: boolean;
  /** Why the container does not run its backup yet; empty once it does. */
  readonly pending: string;
}

export interface DevView {
  readonly copies: readonly CopyInFlight[];
  readonly rows: readonly ImageRow[];
  /** Workloads outside the excluded namespaces, and how many of them run only backup images. */
  readonly eligible: number;
  readonly rewritten: number;
}

export interface ViewOptions {
  /** `host[:port]/prefix`: an image under it is a backup. */
  readonly backupLocation: string;
  readonly excludedNamespaces: ReadonlySet<string>;
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
    const namespace = item.workload.metadata?.namespace ?? '';
    const excluded = o.excludedNamespaces.has(namespace);
    const originals = originalImagesOf(item.workload) ?? {};
    let all = true;
    for (const { container, image } of workloadImages(item.kind, item.workload)) {
      const onBackup = image.startsWith(`${o.backupLocation}/`);
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
        pending: onBackup ? '' : excluded ? 'excluded namespace' : pendingReason(backup),
      });
    }
    if (!excluded) {
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

function label(item: KindedWorkload): string {
  return `${item.workload.metadata?.namespace ?? ''}/${item.kind}/${item.workload.metadata?.name ?? ''}`;
}

function backupNameOf(image: string): string | undefined {
  try {
    return imageBackupName(parse(image));
  } catch {
    return undefined;
  }
}

function pendingReason(backup: ImageBackup | undefined): string {
  if (!backup) return 'no backup yet';
  const status = backup.status;
  switch (status?.phase) {
    case 'Ready':
      return 'backup ready; the rewrite waits for the rollout and pull secret';
    case 'Copying':
      return `copying ${status.blobsDone ?? 0}/${status.blobsTotal ?? '?'} blobs`;
    case 'Failed':
      return `copy failed: ${status.lastError ?? 'no reason given'}`;
    default:
      return 'copy queued';
  }
}
