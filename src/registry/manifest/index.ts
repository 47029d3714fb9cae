// Public surface of manifest handling: media types, parsing from exact bytes, children, platforms.
export {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  MANIFEST_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  bareMediaType,
  headerMediaType,
  isSchema1,
  manifestKind,
  type ManifestKind,
} from './media-types.ts';
export {
  InvalidDigestError,
  InvalidManifestError,
  InvalidPlatformError,
  ManifestError,
  MediaTypeMismatchError,
  PlatformNotFoundError,
  UnsupportedManifestError,
  type ManifestErrorCode,
} from './errors.ts';
export { digestLike, isVerifiedDigest, verifiedAlgorithm } from './verified-digest.ts';
export {
  listChildren,
  manifestMediaType,
  parseManifest,
  type ManifestChildren,
  type ParsedImage,
  type ParsedIndex,
  type ParsedManifest,
} from './parse.ts';
export { formatPlatform, parsePlatform, platformMatches } from './platform.ts';
export { filterIndex, selectPlatforms, type FilteredIndex } from './filter-index.ts';
