import type { Resource } from '../../kube/index.ts';

/** The ImageBackup resource: the CRD (crd.ts) and every client of it are built from this literal. */
export const IMAGE_BACKUPS = Object.freeze({
  group: 'lifeboat.dev',
  version: 'v1alpha1',
  plural: 'imagebackups',
  kind: 'ImageBackup',
  namespaced: false,
} satisfies Resource);
