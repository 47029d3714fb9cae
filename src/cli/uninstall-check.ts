/**
 * What `lifeboat uninstall` checks before it removes anything (issue 16, B5): the workloads that
 * still run images from the backup registry. Their pods pull those images with the `lifeboat-pull`
 * copies uninstall deletes, so every new pod of theirs would fail to pull; `lifeboat restore` puts
 * their original images back first. Pure: the command lists the workloads and prints the text.
 */
import { runsBackupImage } from '../controllers/api/original-images.ts';
import { workloadImages } from '../controllers/api/workload-images.ts';
import type { Workload, WorkloadKind } from '../controllers/api/workload-types.ts';
import type { BackupMapping } from '../reference/index.ts';
import { ERROR_PREFIX } from './exit.ts';

/** A workload some container of which runs an image from the backup area. */
export interface BackupUser {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** The backup images it runs, as written in the workload. */
  readonly images: readonly string[];
}

/** Workloads listed in the refusal; the rest are counted (a cluster may have thousands). */
export const LISTED_USERS = 20;

export type NamedWorkload = Workload & { metadata: { name: string; namespace?: string | undefined } };

/** The workloads among `workloads` (all of `kind`) that run a backup image. */
export function backupUsers(
  kind: WorkloadKind,
  workloads: readonly NamedWorkload[],
  mapping: BackupMapping,
): BackupUser[] {
  return workloads.flatMap((w) => {
    const images = workloadImages(kind, w)
      .map((i) => i.image)
      .filter((image) => runsBackupImage(image, mapping));
    if (images.length === 0) return [];
    return [
      { kind, namespace: w.metadata.namespace ?? '', name: w.metadata.name, images: [...new Set(images)] },
    ];
  });
}

const userLine = (u: BackupUser): string => `  ${u.kind} ${u.namespace}/${u.name}: ${u.images.join(', ')}`;
const counted = (n: number): string => `${n} workload${n === 1 ? '' : 's'}`;

/** Why uninstall refuses, with the first LISTED_USERS workloads, one a line. */
export function refusalText(users: readonly BackupUser[], pullSecretName: string): string {
  const lines = [
    `${ERROR_PREFIX}${counted(users.length)} still run images from the ` +
      `backup registry, pulled with the ${pullSecretName} copies uninstall would delete: their new pods ` +
      'could not pull. Stop `lifeboat run`, run `lifeboat restore` to put their original images back, then ' +
      'uninstall; or pass --force to remove the copies anyway.',
    ...users.slice(0, LISTED_USERS).map(userLine),
  ];
  if (users.length > LISTED_USERS) lines.push(`  … and ${users.length - LISTED_USERS} more`);
  return `${lines.join('\n')}\n`;
}

/**
 * `--dry-run`'s account of the workloads that block uninstall (every one of them: a dry run is for
 * reading), and whether they would stop it (without `--force`) or lose their pull secret (with it).
 */
export function blockingText(users: readonly BackupUser[], pullSecretName: string, force: boolean): string {
  const head = force
    ? `--force: would remove the ${pullSecretName} copies although ${counted(users.length)} still run images from the backup registry:`
    : `would refuse: ${counted(users.length)} still run images from the backup registry (lifeboat restore them first, or --force):`;
  return `${[head, ...users.map(userLine)].join('\n')}\n`;
}
