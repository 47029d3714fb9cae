// Digest validation with go-digest's rules, which distribution/reference applies after its grammar:
// the algorithm must be one we can compute, the encoded part lowercase hex of exactly the hash size.
import { InvalidReferenceError } from './errors.ts';

/**
 * Hex length of each supported algorithm. sha256 and sha512 are the OCI-registered ones; sha384 is
 * accepted because go-digest (and so every Go registry and client) accepts it too.
 */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** go-digest's own (looser) shape for an algorithm it does not know, used to pick the error. */
const goDigestShape = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const lowercaseHex = /^[a-f0-9]+$/;

export interface ParsedDigest {
  /** `sha256`, `sha384` or `sha512`. */
  readonly algorithm: string;
  /** Lowercase hex of exactly the algorithm's size. */
  readonly encoded: string;
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
  const hexLength = Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm) ? DIGEST_HEX_LENGTHS[algorithm] : undefined;
  if (hexLength === undefined) {
    throw new InvalidReferenceError(
      goDigestShape.test(value) ? 'REFERENCE_DIGEST_UNSUPPORTED' : 'REFERENCE_DIGEST_INVALID_ENCODING',
      input,
    );
  }
  if (encoded.length !== hexLength) {
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
