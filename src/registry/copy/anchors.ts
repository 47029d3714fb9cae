// Anchors of manifests the target already holds: a copy that finds (part of) an image present checks
// that every manifest of it has its anchor tag (anchor-tag.ts) and writes the missing ones. This is
// how a backup written before anchors existed, or one whose anchor a tag-retention rule deleted, is
// repaired by the next copy or recheck. Only manifest requests on the target, never a blob: a missing
// anchor costs a GET of the manifest from the target (not the source, which may be gone) and one PUT
// of those bytes under the anchor tag.
// Invariants:
// - Every manifest under the one checked is checked too (an index's children, however deep), each
//   once, and a manifest's anchor is written after those of all it names, as a copy writes them.
// - An anchor tag is written only to the digest it names: one that names another manifest (written by
//   hand) is put back, never followed.
import type { Logger } from 'pino';
import { listChildren, manifestKind, parseManifest } from '../manifest/index.ts';
import type { RegistryClient } from '../model/types.ts';
import { anchorTag } from './anchor-tag.ts';
import { putManifest } from './push.ts';
import type { CopyScheduler } from './scheduler.ts';

export interface AnchorContext {
  readonly target: { readonly client: RegistryClient; readonly repository: string };
  /** Manifest HEADs, GETs and PUTs are light requests: they share the scheduler's per-host limits. */
  readonly scheduler: CopyScheduler;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/** What checking the anchors of present manifests did. */
export interface AnchorRepair {
  /** Anchor tags written (found missing). */
  written: number;
  /** Manifests without an anchor because their digest is not sha256. */
  readonly unanchored: string[];
}

export function emptyRepair(): AnchorRepair {
  return { written: 0, unanchored: [] };
}

/**
 * Checks the anchors of `manifest` (present in the target) and of everything under it, and writes the
 * missing ones; adds what it did to `repair`. `seen` holds the digests already checked by this copy.
 */
export async function ensureAnchors(
  ctx: AnchorContext,
  manifest: { readonly digest: string; readonly mediaType: string },
  repair: AnchorRepair,
  seen: Set<string> = new Set(),
): Promise<void> {
  if (seen.has(manifest.digest)) return;
  seen.add(manifest.digest);
  const { target, scheduler, signal } = ctx;
  const light = <T>(fn: () => Promise<T>): Promise<T> => scheduler.light(target.client.host, fn, signal);
  const tag = anchorTag(manifest.digest);
  if (tag === undefined) {
    ctx.logger.debug({ digest: manifest.digest }, 'no anchor tag for a digest that is not sha256');
    repair.unanchored.push(manifest.digest);
  }
  const head =
    tag === undefined
      ? undefined
      : await light(() => target.client.headManifest(target.repository, tag, { signal }));
  const anchored = tag === undefined || head?.digest === manifest.digest;
  // An anchored image manifest names no manifest: nothing more to check, nothing to read.
  if (anchored && manifestKind(manifest.mediaType) === 'image') return;
  const read = await light(() => target.client.getManifest(target.repository, manifest.digest, { signal }));
  const parsed = parseManifest(read.bytes, read.mediaType);
  const children = listChildren(parsed).manifests;
  // Every child settles before this does, as every task of a copy settles before the copy rejects.
  const settled = await Promise.allSettled(children.map((child) => ensureAnchors(ctx, child, repair, seen)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  if (anchored || tag === undefined) return;
  await light(() =>
    putManifest(
      target,
      { digest: manifest.digest, mediaType: parsed.mediaType, bytes: read.bytes },
      tag,
      signal,
    ),
  );
  repair.written++;
  ctx.logger.debug({ digest: manifest.digest, tag }, 'anchor tag written');
}
