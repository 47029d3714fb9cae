// Public surface of the reference module: parse image references exactly as Docker and
// distribution/reference do, and map them to and from the backup registry. Everything is pure.
export type { ImageReference, ImageReferenceFields } from './image-reference.ts';
export { withName, withTag, withDigest, trimNamed } from './image-reference.ts';
export { parse } from './parse.ts';
export {
  parseNormalizedNamed,
  parseNamed,
  parseDockerRef,
  familiarize,
  familiarName,
  familiarString,
  apiHost,
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  DOCKER_HUB_API_HOST,
} from './normalize.ts';
export {
  parseDigest,
  isValidDigest,
  isDigest,
  digestOf,
  createDigester,
  DIGEST_HEX_LENGTHS,
} from './digest.ts';
export type { DigestAlgorithm, ParsedDigest } from './digest.ts';
export { REPOSITORY_PATH_MAX_LENGTH } from './grammar.ts';
export { InvalidReferenceError, MappingError, REFERENCE_ERRORS, MAPPING_ERRORS } from './errors.ts';
export type { ReferenceErrorCode, MappingErrorCode, MappingErrorFields } from './errors.ts';
export {
  backupMapping,
  parseBackupLocation,
  mappingFromLocation,
  canonicalSource,
  mapRepository,
  rewriteReference,
  isBackupImage,
  reverseRepository,
} from './mapping.ts';
export type { MappingOptions, BackupLocationOptions, BackupMapping, RewriteOptions } from './mapping.ts';
export { checkClaim } from './claims.ts';
export type { Claim, ClaimState } from './claims.ts';
export { describeReference } from './describe.ts';
export type {
  ReferenceDescription,
  ValidReferenceDescription,
  InvalidReferenceDescription,
} from './describe.ts';
