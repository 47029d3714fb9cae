// The digests a copy trusts: valid by go-digest's rules (reference/digest.ts, the one digest module)
// and in an algorithm the OCI image spec registers, sha256 or sha512. Content in any other algorithm,
// sha384 included, is refused by name rather than copied, never re-hashed in another algorithm.
import { digestOf, isDigest, parseDigest, type DigestAlgorithm } from '../../reference/index.ts';
import { InvalidDigestError } from './errors.ts';

const VERIFIED_ALGORITHMS: ReadonlySet<DigestAlgorithm> = new Set(['sha256', 'sha512']);

/** The algorithm of `digest` when a copy trusts it; throws `InvalidDigestError` naming what is wrong. */
export function verifiedAlgorithm(digest: string): DigestAlgorithm {
  let algorithm: DigestAlgorithm;
  try {
    algorithm = parseDigest(digest).algorithm;
  } catch (error) {
    throw new InvalidDigestError(digest, (error as Error).message);
  }
  if (!VERIFIED_ALGORITHMS.has(algorithm))
    throw new InvalidDigestError(digest, `unsupported algorithm ${JSON.stringify(algorithm)}`);
  return algorithm;
}

/** True when `verifiedAlgorithm` accepts `digest`. */
export function isVerifiedDigest(digest: string): boolean {
  try {
    verifiedAlgorithm(digest);
    return true;
  } catch {
    return false;
  }
}

/**
 * The digest of `bytes` in the algorithm `reference` names when it is a digest, sha256 when it is a
 * tag: what to compare a digest with. An algorithm a copy does not trust is refused, never swapped.
 */
export function digestLike(bytes: Uint8Array, reference: string): string {
  return digestOf(bytes, isDigest(reference) ? verifiedAlgorithm(reference) : 'sha256');
}
