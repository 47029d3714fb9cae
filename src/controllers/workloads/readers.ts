// `--private-images=isolated`: the workload controller keeps a private backup's `status.readers`, the
// namespaces the registry token service grants pull to, from the access checks it makes anyway
// before a rewrite (registry-checks.ts remembers them, so this costs no extra HEAD).
//
// Invariants:
// - One status merge patch of `readers` only, guarded by the resourceVersion the cache showed: two
//   workers adding different namespaces cannot lose one another's (409 → planned again).
// - A namespace is added when its own credentials (or anonymous access) read the source, removed
//   only when its own check refused; no other namespace is ever removed. Nothing is written when the
//   list already says so: a steady state costs no writes.
// - Bounded: MAX_READERS namespaces per backup (private-images.ts).
import type { KubeObject, ResourceClient } from '../../kube/index.ts';
import { guarded } from '../api/guarded-write.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { readersAfter } from './private-images.ts';

export interface ReaderDeps {
  readonly backups: Pick<ResourceClient<ImageBackup & KubeObject>, 'patchStatus'>;
  readonly backupCache: { get(name: string): (ImageBackup & KubeObject) | undefined };
}

/**
 * Records what the check of `namespace` on backup `name` showed. `race` when the write lost to
 * another writer (plan again on fresh state); `unchanged` when nothing had to be written.
 */
export async function recordReader(
  d: ReaderDeps,
  name: string,
  namespace: string,
  readable: boolean,
): Promise<'written' | 'unchanged' | 'race'> {
  const backup = d.backupCache.get(name);
  if (backup === undefined) return 'unchanged';
  const readers = readersAfter(backup, namespace, readable);
  if (readers === undefined) return 'unchanged';
  const written = await guarded(() =>
    d.backups.patchStatus(name, {
      metadata: { resourceVersion: backup.metadata.resourceVersion },
      status: { readers },
    }),
  );
  return written === 'race' ? 'race' : 'written';
}
