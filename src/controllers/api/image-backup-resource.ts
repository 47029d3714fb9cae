import { resourceClient, type KubeRequester, type Resource, type ResourceClient } from '../../kube/index.ts';
import type { ImageBackup } from './image-backup-schema.ts';

/** The ImageBackup resource: the CRD (crd.ts) and every client of it are built from this literal. */
export const IMAGE_BACKUPS = Object.freeze({
  group: 'lifeboat.dev',
  version: 'v1alpha1',
  plural: 'imagebackups',
  kind: 'ImageBackup',
  namespaced: false,
} satisfies Resource);

/**
 * A client typed with the zod-derived ImageBackup. The API server has validated what it returns
 * against the same definition (the CRD is generated from it), so reads need no parse.
 */
export function imageBackupClient(api: KubeRequester, fieldManager?: string): ResourceClient<ImageBackup> {
  return resourceClient<ImageBackup>(api, IMAGE_BACKUPS, fieldManager === undefined ? {} : { fieldManager });
}
