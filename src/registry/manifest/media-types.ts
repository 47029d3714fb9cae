// The manifest media types a copy understands. Schema 1 is named only so it can be refused by name:
// its signed digest covers the JWS payload without signatures, so byte-exact copies cannot be verified.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** Every manifest type a copy understands, in the order a registry should prefer them (the Accept header). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
]);

/** Content types that say nothing about the manifest: some registries answer with them. */
export const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set([
  '',
  'application/json',
  'text/plain',
  'application/octet-stream',
]);

/** Layers that registries are not expected to hold (Windows base layers): they are referenced, not copied. */
const NON_DISTRIBUTABLE_LAYERS: ReadonlySet<string> = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export type ManifestKind = 'index' | 'image';

/** The kind of a supported manifest media type, or undefined for anything else (schema 1 included). */
export function manifestKind(mediaType: string): ManifestKind | undefined {
  switch (mediaType) {
    case OCI_INDEX:
    case DOCKER_MANIFEST_LIST:
      return 'index';
    case OCI_MANIFEST:
    case DOCKER_MANIFEST:
      return 'image';
    default:
      return undefined;
  }
}

export function isSchema1(mediaType: string): boolean {
  return mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED;
}

export function isNonDistributable(mediaType: string): boolean {
  return NON_DISTRIBUTABLE_LAYERS.has(mediaType);
}

/** `application/json; charset=utf-8` → `application/json`: parameters never change what a manifest is. */
export function bareMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The manifest type a Content-Type header names, or undefined when it is absent or generic. */
export function headerMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType === undefined ? '' : bareMediaType(contentType);
  return GENERIC_CONTENT_TYPES.has(bare) ? undefined : bare;
}
