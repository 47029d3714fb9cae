// The structured form every other module works with: a reference is parsed once, at the boundary,
// into domain / path / tag / digest, and never re-split from a string afterwards.
import { parseDigest } from './digest.ts';
import { InvalidReferenceError } from './errors.ts';
import {
  anchoredDigestRegexp,
  anchoredNameRegexp,
  anchoredTagRegexp,
  REPOSITORY_PATH_MAX_LENGTH,
} from './grammar.ts';

export interface ImageReferenceFields {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string | undefined;
  readonly digest?: string | undefined;
}

/**
 * An image reference split into its parts. Immutable. Obtain one from `parse`,
 * `parseNormalizedNamed`, `parseDockerRef` or the `with*` builders, which validate every part; the
 * constructor itself trusts its input.
 */
export class ImageReference {
  /** `docker.io`, `localhost:5000`, `[::1]:5000`; empty when `parse` found no domain (`test_com`). */
  readonly domain: string;
  /** Repository path inside the domain: `library/nginx`. At most 255 characters. */
  readonly path: string;
  /** Tag as written (tags may hold uppercase), or undefined. */
  readonly tag: string | undefined;
  /** Validated digest (`sha256:<64 hex>`), or undefined. */
  readonly digest: string | undefined;

  constructor(fields: ImageReferenceFields) {
    this.domain = fields.domain;
    this.path = fields.path;
    this.tag = fields.tag;
    this.digest = fields.digest;
    Object.freeze(this);
  }

  /** Repository name: `domain/path`, or `path` alone when there is no domain. */
  name(): string {
    return this.domain === '' ? this.path : `${this.domain}/${this.path}`;
  }

  /** The whole reference: `name[:tag][@digest]`, both kept when both are present. */
  string(): string {
    let out = this.name();
    if (this.tag !== undefined) out += `:${this.tag}`;
    if (this.digest !== undefined) out += `@${this.digest}`;
    return out;
  }

  toString(): string {
    return this.string();
  }

  toJSON(): string {
    return this.string();
  }
}

/** A repository with no tag or digest, from `[domain/]path` (WithName). */
export function withName(name: string): ImageReference {
  const match = anchoredNameRegexp.exec(name);
  if (match === null) throw new InvalidReferenceError('REFERENCE_INVALID_FORMAT', name);
  const path = match[2] ?? '';
  if (path.length > REPOSITORY_PATH_MAX_LENGTH)
    throw new InvalidReferenceError('REFERENCE_NAME_TOO_LONG', name);
  return new ImageReference({ domain: match[1] ?? '', path });
}

/** `ref` with its tag replaced by `tag`; a digest it holds is kept (WithTag). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!anchoredTagRegexp.test(tag)) throw new InvalidReferenceError('REFERENCE_TAG_INVALID_FORMAT', tag);
  return new ImageReference({ ...ref, tag });
}

/**
 * `ref` with its digest replaced by `digest`; a tag it holds is kept (WithDigest). Stricter than Go's
 * WithDigest, which only checks the grammar: the digest must also pass `parseDigest`, because a
 * reference this module builds is always one a registry would accept.
 */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!anchoredDigestRegexp.test(digest)) {
    throw new InvalidReferenceError('REFERENCE_DIGEST_INVALID_FORMAT', digest);
  }
  parseDigest(digest);
  return new ImageReference({ ...ref, digest });
}

/** `ref` without tag and digest: the repository alone (TrimNamed). */
export function trimNamed(ref: ImageReference): ImageReference {
  return new ImageReference({ domain: ref.domain, path: ref.path });
}
