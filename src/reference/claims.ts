// The last guard against two sources sharing one backup repository. The mapping is injective, so a
// collision means something outside it: options changed between runs, or another writer pushed into
// the backup area. Either way the copy must stop rather than overwrite someone else's image.
import { MappingError } from './errors.ts';

/** What `checkClaim` found: the target is free (`new`), or this source already holds it (`held`). */
export type ClaimState = 'new' | 'held';

export interface Claim {
  /** Backup repository name: `backup.example.com/lifeboat/docker.io/library/nginx`. */
  readonly target: string;
  /** Source repository name as given by `canonicalSource(ref).name()`. */
  readonly source: string;
}

/**
 * Decides whether `claim.source` may use `claim.target`, given the claims already recorded
 * (target repository → source repository). Pure: recording the claim is the caller's job. Throws
 * MAPPING_COLLISION, carrying target, source and the current holder, when another source holds it.
 */
export function checkClaim(claims: ReadonlyMap<string, string>, claim: Claim): ClaimState {
  const holder = claims.get(claim.target);
  if (holder === undefined) return 'new';
  if (holder === claim.source) return 'held';
  throw new MappingError(
    'MAPPING_COLLISION',
    `refusing to back up ${claim.source} into ${claim.target}: already holds ${holder}`,
    { target: claim.target, source: claim.source, claimedBy: holder },
  );
}
