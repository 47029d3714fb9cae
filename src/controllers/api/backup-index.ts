// The index from an ImageBackup's name to the workloads that need it, so a backup turning Ready (or
// being deleted) enqueues exactly its workloads. A workload is filed under the backup of every image
// it runs and of every original its ORIGINAL_IMAGES annotation lists (the backups it runs from).
// Index functions run on every event of a shared informer: pure, cheap, never throwing, and defined
// once per kind at module level (a shared informer refuses another function under the same name).
import { parseNormalizedNamed } from '../../reference/index.ts';
import { imageBackupName } from './image-backup-name.ts';
import type { IndexFunc, KubeObject } from '../../kube/index.ts';
import { workloadImages } from './workload-images.ts';
import { originalImagesOf } from './original-images.ts';
import type { Workload, WorkloadKind } from './workload-types.ts';

export const BACKUP_NAME_INDEX = 'lifeboat.dev/imagebackup-name';

/** The ImageBackup names a workload may need; images that do not parse or map are left out. */
export function backupNamesOf(kind: WorkloadKind, workload: Workload): string[] {
  const images = [
    ...workloadImages(kind, workload).map((i) => i.image),
    ...Object.values(originalImagesOf(workload) ?? {}),
  ];
  return images.flatMap((image) => {
    try {
      return [imageBackupName(parseNormalizedNamed(image))];
    } catch {
      return [];
    }
  });
}

const indexFor =
  (kind: WorkloadKind): IndexFunc<KubeObject> =>
  (obj) =>
    backupNamesOf(kind, obj);

export const BACKUP_NAME_INDEX_FUNCS: Readonly<Record<WorkloadKind, IndexFunc<KubeObject>>> = Object.freeze({
  Deployment: indexFor('Deployment'),
  DaemonSet: indexFor('DaemonSet'),
  StatefulSet: indexFor('StatefulSet'),
  CronJob: indexFor('CronJob'),
});
