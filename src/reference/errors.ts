// Typed errors of the reference module. Parsing errors mirror distribution/reference (and go-digest,
// which it uses for digests) one to one: each code names the Go error it stands for, and the message
// is the Go message, so operators see the same words `docker pull` prints. Mapping errors are
// Lifeboat's own. References never carry credentials, so inputs are safe to put in messages.
import { LifeboatError } from '../common/errors.ts';

/** Stable codes of `InvalidReferenceError`, with the Go error each mirrors. */
export const REFERENCE_ERRORS = {
  /** reference.ErrReferenceInvalidFormat */
  REFERENCE_INVALID_FORMAT: 'invalid reference format',
  /** reference.ErrTagInvalidFormat */
  REFERENCE_TAG_INVALID_FORMAT: 'invalid tag format',
  /** reference.ErrDigestInvalidFormat: the digest does not match the reference grammar. */
  REFERENCE_DIGEST_INVALID_FORMAT: 'invalid digest format',
  /** reference.ErrNameContainsUppercase */
  REFERENCE_NAME_CONTAINS_UPPERCASE: 'repository name must be lowercase',
  /** reference.ErrNameEmpty */
  REFERENCE_NAME_EMPTY: 'repository name must have at least one component',
  /** reference.ErrNameTooLong */
  REFERENCE_NAME_TOO_LONG: 'repository name must not be more than 255 characters',
  /** reference.ErrNameNotCanonical */
  REFERENCE_NAME_NOT_CANONICAL: 'repository name must be canonical',
  /** ParseNormalizedNamed's refusal of a bare 64-hex string (it would be read as an image id). */
  REFERENCE_NAME_IS_IDENTIFIER: 'cannot specify 64-byte hexadecimal strings',
  /** digest.ErrDigestInvalidFormat: the encoded part is not lowercase hex, or the form is wrong. */
  REFERENCE_DIGEST_INVALID_ENCODING: 'invalid checksum digest format',
  /** digest.ErrDigestInvalidLength: the hex length does not fit the algorithm. */
  REFERENCE_DIGEST_INVALID_LENGTH: 'invalid checksum digest length',
  /** digest.ErrDigestUnsupported */
  REFERENCE_DIGEST_UNSUPPORTED: 'unsupported digest algorithm',
} as const;

export type ReferenceErrorCode = keyof typeof REFERENCE_ERRORS;

/** A string that is not a valid image reference (or tag, or digest). Never temporary. */
export class InvalidReferenceError extends LifeboatError {
  readonly code: ReferenceErrorCode;
  /** The string that was refused, as given. */
  readonly input: string;
  readonly temporary = false;

  constructor(code: ReferenceErrorCode, input: string, message: string = REFERENCE_ERRORS[code]) {
    super(message);
    this.name = 'InvalidReferenceError';
    this.code = code;
    this.input = input;
  }
}

/** Stable codes of `MappingError`. */
export const MAPPING_ERRORS = {
  /** The backup registry, prefix or other mapping options are unusable. */
  MAPPING_INVALID_OPTIONS: 'invalid mapping options',
  /** The source is not a normalised repository on a case-insensitive host, so it has no identity. */
  MAPPING_INVALID_SOURCE: 'source is not a normalised repository',
  /** The mapped repository path would exceed 255 characters. */
  MAPPING_NAME_TOO_LONG: 'mapped repository name is too long',
  /** The mapped name would not parse back to the same repository. */
  MAPPING_INVALID_TARGET: 'mapped reference is not a valid reference',
  /** The repository is not under the backup registry and prefix. */
  MAPPING_NOT_BACKUP: 'repository is not in the backup area',
  /** The repository is in the backup area but no source maps to it. */
  MAPPING_NOT_REVERSIBLE: 'repository was not produced by this mapping',
  /** The target repository is already claimed by another source. */
  MAPPING_COLLISION: 'target repository already claimed by another source',
  /** A digest-pinned rewrite was asked for without knowing the digest. */
  MAPPING_DIGEST_REQUIRED: 'a digest is required to pin the rewritten image',
  /** The digest copied differs from the digest the source reference pins. */
  MAPPING_DIGEST_MISMATCH: 'copied digest differs from the digest the source pins',
} as const;

export type MappingErrorCode = keyof typeof MAPPING_ERRORS;

export interface MappingErrorFields {
  /** The source repository or reference concerned. */
  readonly source?: string | undefined;
  /** The backup repository or reference concerned. */
  readonly target?: string | undefined;
  /** For MAPPING_COLLISION: the source that holds the claim on `target`. */
  readonly claimedBy?: string | undefined;
  readonly digest?: string | undefined;
  readonly cause?: unknown;
}

/** The mapping source → backup cannot be done as asked. Never temporary: retrying gives the same. */
export class MappingError extends LifeboatError {
  readonly code: MappingErrorCode;
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly claimedBy: string | undefined;
  readonly digest: string | undefined;
  readonly temporary = false;

  constructor(code: MappingErrorCode, message: string, fields: MappingErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'MappingError';
    this.code = code;
    this.source = fields.source;
    this.target = fields.target;
    this.claimedBy = fields.claimedBy;
    this.digest = fields.digest;
  }
}
