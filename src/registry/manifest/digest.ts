// Content digests (`sha256:<hex>`): the only identity a copy trusts. sha512 is allowed by OCI and
// supported; any other algorithm is refused, since we could not verify what we copy.
import { createHash, type Hash } from 'node:crypto';
import { InvalidDigestError } from './errors.ts';

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
}

export function isDigest(reference: string): boolean {
  return reference.includes(':');
}

/** The algorithm `digest` (or an `alg:` prefix) names, when it is one we can verify; throws otherwise. */
export function digestAlgorithm(digest: string): ParsedDigest['algorithm'] {
  const at = digest.indexOf(':');
  const algorithm = at < 0 ? '' : digest.slice(0, at);
  if (HEX_LENGTH[algorithm] === undefined)
    throw new InvalidDigestError(digest, `unsupported algorithm ${JSON.stringify(algorithm)}`);
  return algorithm as ParsedDigest['algorithm'];
}

/** Validates a digest string; throws `InvalidDigestError` naming what is wrong. */
export function parseDigest(digest: string): ParsedDigest {
  const algorithm = digestAlgorithm(digest);
  const hex = digest.slice(digest.indexOf(':') + 1);
  const length = HEX_LENGTH[algorithm] as number;
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new InvalidDigestError(digest, `expected ${length} lowercase hex characters`);
  }
  return { algorithm, hex };
}

/** A running hash for `digest`'s algorithm; `finish()` returns `<alg>:<hex>` of what was fed. */
export function createDigester(digest: string): { hash: Hash; finish(): string } {
  const { algorithm } = parseDigest(digest);
  const hash = createHash(algorithm);
  return { hash, finish: () => `${algorithm}:${hash.digest('hex')}` };
}

export function digestOf(bytes: Uint8Array, algorithm: ParsedDigest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
