// Who may run a backup (issue 16's private-source rule, as the Pod webhook and status read it).
import type { ImageBackup } from './image-backup-schema.ts';

/**
 * A private backup (its source needed credentials) only for a namespace shown to read the source
 * itself (`status.readers`): the backup must not become a way around the source's access control.
 */
export function mayRead(backup: ImageBackup, namespace: string): boolean {
  return backup.status?.private !== true || (backup.status.readers ?? []).includes(namespace);
}
