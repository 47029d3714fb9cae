// One reference explained in every form the rest of Lifeboat and its operators use: the record
// `lifeboat ref` prints, and what an InvalidImageReference event can quote.
import { InvalidReferenceError, MappingError } from './errors.ts';
import { type BackupMapping, isBackupImage, rewriteReference } from './mapping.ts';
import { familiarString, parseDockerRef, parseNormalizedNamed } from './normalize.ts';

export interface InvalidReferenceDescription {
  readonly input: string;
  readonly valid: false;
  readonly error: string;
}

export interface ValidReferenceDescription {
  readonly input: string;
  readonly valid: true;
  /** Set when the reference is valid but cannot be mapped to the backup registry. */
  readonly error?: string;
  /** Fully qualified, tag and digest both kept: `docker.io/library/nginx:1.25`. */
  readonly normalized: string;
  /** Docker's short form: `nginx:1.25`. */
  readonly familiar: string;
  /** What Docker pulls: `:latest` added when bare, tag dropped when a digest is present. */
  readonly dockerRef: string;
  readonly domain: string;
  readonly path: string;
  readonly tag: string | null;
  readonly digest: string | null;
  /**
   * The image after the rewrite (tag and the source's own digest kept; no digest is added because
   * none was copied), the reference itself when it is already in the backup area, or null when it
   * cannot be mapped (see `error`). Present only when a mapping is given.
   */
  readonly backup?: string | null;
}

export type ReferenceDescription = InvalidReferenceDescription | ValidReferenceDescription;

/**
 * Describes `input` as Kubernetes would read it (Docker normalisation). Never throws for bad input:
 * an invalid reference or an impossible mapping is reported in the record.
 */
export function describeReference(input: string, mapping?: BackupMapping): ReferenceDescription {
  let normalized;
  try {
    normalized = parseNormalizedNamed(input);
  } catch (error) {
    if (error instanceof InvalidReferenceError) return { input, valid: false, error: error.message };
    throw error;
  }
  const base = {
    input,
    valid: true as const,
    normalized: normalized.string(),
    familiar: familiarString(normalized),
    dockerRef: parseDockerRef(input).string(),
    domain: normalized.domain,
    path: normalized.path,
    tag: normalized.tag ?? null,
    digest: normalized.digest ?? null,
  };
  if (mapping === undefined) return base;
  if (isBackupImage(normalized, mapping)) return { ...base, backup: normalized.string() };
  try {
    return { ...base, backup: rewriteReference(normalized, mapping, { pinDigest: false }).string() };
  } catch (error) {
    if (error instanceof MappingError) return { ...base, error: error.message, backup: null };
    throw error;
  }
}
