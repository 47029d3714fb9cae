// The image a container runs from its backup: shared by the workload rewrite (a workload's pod
// template) and the Pod admission webhook (a Pod), so both point at exactly the same reference.
import {
  parseNormalizedNamed,
  trimNamed,
  withDigest,
  withTag,
  type ImageReference,
} from '../../reference/index.ts';
import type { ImageBackup } from './image-backup-schema.ts';

/**
 * The backup of `source` when it is Ready and holds what the source asks for: its repository
 * (`spec.target` without tag or digest) and the digest it holds.
 */
export function readyBackup(
  backup: ImageBackup | undefined,
  source: ImageReference,
): { repository: string; digest: string } | undefined {
  const digest = backup?.status?.targetDigest;
  if (backup === undefined || backup.status?.phase !== 'Ready' || digest === undefined) return undefined;
  // A source that pins a digest runs that digest or nothing: a backup holding another is not its copy.
  if (source.digest !== undefined && source.digest !== digest) return undefined;
  return { repository: targetRepository(backup), digest };
}

/** `spec.target` without tag or digest. */
export function targetRepository(backup: ImageBackup): string {
  return trimNamed(parseNormalizedNamed(backup.spec.target)).name();
}

/**
 * `{repo}:{tag}@{digest}` with pinning, `{repo}:{tag}` without; `{repo}@{digest}` for a digest-only
 * source. A digest the source pins itself is always kept: the rewrite never loosens what the
 * workload asked for.
 */
export function backupImage(
  source: ImageReference,
  at: { repository: string; digest: string | undefined },
  pinDigest: boolean,
): string {
  let out = parseNormalizedNamed(at.repository);
  if (source.tag !== undefined) out = withTag(out, source.tag);
  const digest = source.digest ?? (pinDigest ? at.digest : undefined);
  if (digest !== undefined) out = withDigest(out, digest);
  return out.string();
}
