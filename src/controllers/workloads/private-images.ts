// `--private-images` (issue 16): what lifeboat does with a private source, one whose manifest an
// ANONYMOUS HEAD is refused (401/403, and 404: many registries hide a repository a caller may not
// see). Operator credentials (`--source-credentials`) never decide who may run an image: they may
// serve the copy, nothing more.
//
//   skip     — no ImageBackup is created for a private source (the anonymous HEAD is asked before
//              every create, registry-checks.ts remembers it), and a backup already marked private
//              is not rewritten to; the workload is left as it is, Event PrivateSourceSkipped once per
//              generation; `status`/`verify` show it exposed with that reason.
//   shared   — backed up; a namespace is rewritten only when its own credentials read the source
//              (BackupAccessDenied otherwise), but every namespace's `lifeboat-pull` reads every
//              backup: nothing stops a namespace from writing a backup reference into its pods.
//   isolated — as shared, and each namespace shown to read the source is recorded in the backup's
//              `status.readers`: the registry token service grants pull on a private backup to those
//              namespaces only.
import type { ImageBackup } from '../api/image-backup-schema.ts';

export const PRIVATE_IMAGES_MODES = ['skip', 'shared', 'isolated'] as const;
export type PrivateImages = (typeof PRIVATE_IMAGES_MODES)[number];

/** The flag's default: nothing private is copied unless the operator chose how it is shared. */
export const DEFAULT_PRIVATE_IMAGES: PrivateImages = 'skip';

/**
 * At most this many namespaces are recorded as readers of one backup: the status stays small (each
 * ≤ 63 bytes: ~16 KiB at most) and every token request reads it. A namespace beyond the cap is
 * not recorded, so in `isolated` mode it cannot pull that backup: it is rewritten (its credentials
 * read the source) but its pods fall back to the source. Documented in docs/security.md.
 */
export const MAX_READERS = 256;

/**
 * The `status.readers` after a check of `namespace`'s access, or undefined when nothing changes (no
 * write). A namespace shown to read is added (unless the list is full); one the check disproved is
 * removed; nobody else is ever removed: a reader is only dropped on the strength of its own check.
 */
export function readersAfter(
  backup: Pick<ImageBackup, 'status'>,
  namespace: string,
  readable: boolean,
  max = MAX_READERS,
): string[] | undefined {
  const current = backup.status?.readers ?? [];
  const listed = current.includes(namespace);
  if (readable === listed) return undefined;
  if (!readable) return current.filter((n) => n !== namespace);
  // Namespace names are DNS labels (≤ 63): anything else is not recorded, whatever reached us.
  if (current.length >= max || namespace.length === 0 || namespace.length > 63) return undefined;
  return [...current, namespace];
}
