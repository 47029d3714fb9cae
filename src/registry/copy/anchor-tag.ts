// The anchor tag: the one name under which a backup copy keeps every manifest digest it writes, so a
// registry garbage collector that deletes untagged manifests (distribution's `garbage-collect
// --delete-untagged`, ECR/GAR/Harbor untagged-image rules) never deletes what a workload may run.
// Invariants:
// - A pure function of the digest: two clusters sharing one backup registry write the same tag to the
//   same manifest, so they never conflict, and lifeboat never moves or deletes one.
// - `lifeboat-sha256-<64 hex>`, not `sha256-<hex>`: that form belongs to the OCI referrers tag schema
//   and to cosign (`sha256-<hex>.sig`), which other tools move and delete.
// - A valid tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`): the prefix (16) plus 64 hex is 80 characters.
// - sha256 only: a sha512 anchor (16 + 128 characters) would not be a valid tag, and sha384 is no
//   OCI-registered algorithm. A digest in another algorithm has no anchor (`undefined`); the copy then
//   leaves its manifest unanchored, logs it at debug and lists it in `CopyResult.unanchored`.
import { parseDigest } from '../../reference/index.ts';

export const ANCHOR_TAG_PREFIX = 'lifeboat-sha256-';

const anchorTagPattern = /^lifeboat-sha256-([a-f0-9]{64})$/;

/**
 * The anchor tag of `digest` (`sha256:<hex>` → `lifeboat-sha256-<hex>`), or undefined for a valid
 * digest of another algorithm. Throws `InvalidReferenceError` for what is no digest at all.
 */
export function anchorTag(digest: string): string | undefined {
  const { algorithm, encoded } = parseDigest(digest);
  return algorithm === 'sha256' ? `${ANCHOR_TAG_PREFIX}${encoded}` : undefined;
}

/** The digest an anchor tag stands for, or undefined when `tag` is no anchor tag. */
export function anchoredDigest(tag: string): string | undefined {
  const match = anchorTagPattern.exec(tag);
  return match === null ? undefined : `sha256:${match[1]}`;
}
