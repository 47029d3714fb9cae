// The one digest module: what a digest (`<algorithm>:<encoded>`) is, how to tell one from a tag, and
// how to compute one, as go-digest does (distribution/reference validates digests with its rules
// after its grammar). The registry's stricter rule for what a copy trusts is built on this one
// (registry/manifest/verified-digest.ts); nothing else validates or computes digests.
import { createHash, type Hash } from 'node:crypto';
import { InvalidReferenceError } from './errors.ts';

/** An algorithm go-digest accepts. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * Hex length of each supported algorithm. sha256 and sha512 are the OCI-registered ones; sha384 is
 * accepted because go-digest (and so every Go registry and client) accepts it too.
 */
export const DIGEST_HEX_LENGTHS: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** go-digest's own (looser) shape for an algorithm it does not know, used to pick the error. */
const goDigestShape = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const lowercaseHex = /^[a-f0-9]+$/;

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  /** Lowercase hex of exactly the algorithm's size. */
  readonly encoded: string;
}

function isDigestAlgorithm(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm);
}

/**
 * Validates `value` as go-digest's `Parse` does and splits it. Throws `InvalidReferenceError` with
 * REFERENCE_DIGEST_INVALID_ENCODING, REFERENCE_DIGEST_INVALID_LENGTH or REFERENCE_DIGEST_UNSUPPORTED;
 * the error's `input` is `input` (the whole reference, when the digest came from one).
 */
export function parseDigest(value: string, input: string = value): ParsedDigest {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon + 1 === value.length) {
    throw new InvalidReferenceError('REFERENCE_DIGEST_INVALID_ENCODING', input);
  }
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (!isDigestAlgorithm(algorithm)) {
    throw new InvalidReferenceError(
      goDigestShape.test(value) ? 'REFERENCE_DIGEST_UNSUPPORTED' : 'REFERENCE_DIGEST_INVALID_ENCODING',
      input,
    );
  }
  if (encoded.length !== DIGEST_HEX_LENGTHS[algorithm]) {
    throw new InvalidReferenceError('REFERENCE_DIGEST_INVALID_LENGTH', input);
  }
  if (!lowercaseHex.test(encoded)) {
    throw new InvalidReferenceError('REFERENCE_DIGEST_INVALID_ENCODING', input);
  }
  return { algorithm, encoded };
}

/** True when `value` is a digest `parseDigest` accepts. */
export function isValidDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when a reference's tag-or-digest part (`v1`, `sha256:…`) is a digest. Only the form is
 * looked at: a tag never holds a colon and a digest always does, so this needs no validation (a
 * malformed digest is still one, and `parseDigest` says what is wrong with it).
 */
export function isDigest(reference: string): boolean {
  return reference.includes(':');
}

/** The digest of `bytes`: `<algorithm>:<lowercase hex>` (go-digest's FromBytes). */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A running digest (go-digest's Digester): feed `hash`, then `finish()` returns `<algorithm>:<hex>`. */
export function createDigester(algorithm: DigestAlgorithm): { readonly hash: Hash; finish(): string } {
  const hash = createHash(algorithm);
  return { hash, finish: () => `${algorithm}:${hash.digest('hex')}` };
}
