// copyImage: one image (or index) from a source repository to a target repository, byte for byte.
//
// Guarantees:
// - Fewest requests first: a target that already holds the source digest costs one HEAD on the target
//   and at most one HEAD on the source (none when the source is pinned by digest).
// - Everything under a manifest is in the target before that manifest is pushed, and the top manifest
//   is pushed last, so the target reference never names an incomplete image (plan.ts, push.ts).
// - Every byte is verified: manifests by size and digest (tree.ts), blobs in flight (verify-stream.ts).
// - With `anchor`, every manifest of the image, written or found present, ends with its anchor tag
//   (anchor-tag.ts): written with the copy (plan.ts), and when found missing on a present manifest,
//   written from the target's own bytes (anchors.ts): manifest requests only, never a blob.
// - A failure aborts the copy's other transfers and waits for them before rejecting.
//
// The steps, in order: decide whether there is anything to copy (HEADs), read what the target lacks
// (tree.ts), plan the order (plan.ts), push bottom-up (push.ts).
import { digestOf, isDigest } from '../../reference/index.ts';
import type { Descriptor, Platform } from '../model/types.ts';
import { filterIndex, formatPlatform, parseManifest, selectPlatforms } from '../manifest/index.ts';
import { emptyRepair, ensureAnchors } from './anchors.ts';
import { CopyError } from './errors.ts';
import {
  resolveOptions,
  type CopyImageOptions,
  type ImageLocation,
  type ResolvedOptions,
} from './options.ts';
import { planCopy } from './plan.ts';
import { createProgressTracker, type ProgressTracker } from './progress.ts';
import { pushPlan, type BlobCounts } from './push.ts';
import { readTree, type ReadManifest } from './tree.ts';

/** Progress events at most this often while bytes flow; a terminal redraws no faster than this anyway. */
const PROGRESS_INTERVAL_MS = 100;

export interface CopyResult extends BlobCounts {
  /** Digest of the source manifest the copy started from (before any platform filtering). */
  readonly sourceDigest: string;
  /** Digest of the top manifest in the target: the source digest, or the filtered index's digest. */
  readonly targetDigest: string;
  readonly mediaType: string;
  /** Platforms of the child manifests copied (empty for a single image or a present image). */
  readonly platforms: readonly string[];
  /** True when the target already held the image: nothing was read or written but missing anchors. */
  readonly skipped: boolean;
  /** Anchor tags written (with `anchor`): those of the manifests pushed, and those found missing. */
  readonly anchorsWritten: number;
  /** With `anchor`, the manifests of the image left without one: their digest is not sha256. */
  readonly unanchored: readonly string[];
}

function describeLocation(location: ImageLocation): string {
  const sep = isDigest(location.reference) ? '@' : ':';
  return `${location.client.host}/${location.repository}${sep}${location.reference}`;
}

/** Copies the image at `options.source` to `options.target`; see the module header for guarantees. */
export async function copyImage(options: CopyImageOptions): Promise<CopyResult> {
  const describe = { source: describeLocation(options.source), target: describeLocation(options.target) };
  const resolved = resolveOptions(options, describe);
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener('abort', onAbort, { once: true });
  const progress = createProgressTracker({
    onProgress: options.onProgress,
    now: resolved.now,
    intervalMs: PROGRESS_INTERVAL_MS,
  });
  try {
    const result = await run(resolved, describe, controller, progress);
    progress.finish();
    resolved.logger.info(
      { ...describe, ...result },
      result.skipped ? 'image already present' : 'image copied',
    );
    return result;
  } catch (error) {
    if (outer?.aborted) throw outer.reason;
    if (error instanceof CopyError) throw error;
    throw new CopyError(`copying ${describe.source} to ${describe.target}: ${(error as Error).message}`, {
      ...describe,
      digest: (error as { digest?: string }).digest,
      cause: error,
    });
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}

async function run(
  o: ResolvedOptions,
  describe: { source: string; target: string },
  controller: AbortController,
  progress: ProgressTracker,
): Promise<CopyResult> {
  const { source, target } = o;
  const signal = controller.signal;
  // Both HEADs go out together; the target one is awaited only once the source digest is known.
  const targetHead = target.client.headManifest(target.repository, target.reference, { signal });
  targetHead.catch(() => {});

  let sourceDigest: string;
  let top: ReadManifest | undefined;
  if (o.platforms === undefined) {
    if (isDigest(source.reference)) {
      sourceDigest = source.reference;
    } else {
      const head = await source.client.headManifest(source.repository, source.reference, { signal });
      if (head === undefined) throw notFound(describe);
      sourceDigest = head.digest;
    }
  } else {
    // The filtered index's digest is only known from the source bytes: one GET, no HEAD.
    const manifest = await source.client.getManifest(source.repository, source.reference, { signal });
    sourceDigest = isDigest(source.reference) ? source.reference : digestOf(manifest.bytes);
    const parsed = parseManifest(manifest.bytes, manifest.mediaType);
    if (parsed.kind === 'index') {
      const filtered = filterIndex(manifest.bytes, o.platforms, manifest.mediaType);
      top = {
        digest: filtered.digest,
        mediaType: parsed.mediaType,
        bytes: filtered.bytes,
        parsed: { ...parsed, manifests: filtered.manifests },
      };
    } else {
      top = { digest: sourceDigest, mediaType: parsed.mediaType, bytes: manifest.bytes, parsed };
    }
  }
  const wanted = top?.digest ?? sourceDigest;
  if (isDigest(target.reference) && target.reference !== wanted) {
    throw new CopyError(
      `copying ${describe.source} to ${describe.target}: the target digest differs from the digest to copy, ${wanted}`,
      { ...describe, code: 'COPY_TARGET_DIGEST', digest: wanted, temporary: false },
    );
  }
  const present = await targetHead;
  // Anchors of manifests found present in the target: checked, and written when missing.
  const repair = emptyRepair();
  const anchorContext = { target, scheduler: o.scheduler, logger: o.logger, signal };
  const anchorsSeen = new Set<string>();
  if (present !== undefined && present.digest === wanted) {
    if (o.anchor) await ensureAnchors(anchorContext, present, repair, anchorsSeen);
    return {
      sourceDigest,
      targetDigest: wanted,
      mediaType: present.mediaType,
      platforms: [],
      bytesTotal: 0,
      bytesCopied: 0,
      blobsTotal: 0,
      blobsCopied: 0,
      blobsSkipped: 0,
      blobsMounted: 0,
      skipped: true,
      anchorsWritten: repair.written,
      unanchored: repair.unanchored,
    };
  }
  if (top === undefined) {
    const manifest = await source.client.getManifest(source.repository, sourceDigest, { signal });
    const parsed = parseManifest(manifest.bytes, manifest.mediaType);
    top = { digest: sourceDigest, mediaType: parsed.mediaType, bytes: manifest.bytes, parsed };
  }

  const onPresent = o.anchor
    ? (child: Descriptor) => ensureAnchors(anchorContext, child, repair, anchorsSeen)
    : undefined;
  const tree = await readTree({ ...o, signal, onPresent }, top);
  const copiedPlatforms = top.parsed.kind === 'index' ? platformsOf(top.parsed.manifests, o.platforms) : [];
  const plan = planCopy(tree, target.reference, { anchor: o.anchor });
  for (const digest of plan.unanchored)
    o.logger.debug({ ...describe, digest }, 'no anchor tag for a digest that is not sha256');
  const counts = await pushPlan({ ...o, progress }, plan, controller);
  return {
    sourceDigest,
    targetDigest: top.digest,
    mediaType: top.mediaType,
    platforms: copiedPlatforms,
    ...counts,
    skipped: false,
    anchorsWritten: plan.anchors + repair.written,
    unanchored: [...plan.unanchored, ...repair.unanchored],
  };
}

function notFound(describe: { source: string; target: string }): CopyError {
  return new CopyError(
    `copying ${describe.source} to ${describe.target}: the source manifest does not exist`,
    {
      ...describe,
      code: 'COPY_NOT_FOUND',
      temporary: false,
    },
  );
}

function platformsOf(manifests: readonly Descriptor[], wanted: readonly Platform[] | undefined): string[] {
  const keep = wanted === undefined ? manifests.map(() => true) : selectPlatforms(manifests, wanted);
  return manifests.flatMap((m, i) =>
    keep[i] && m.platform && m.platform.os !== 'unknown' ? [formatPlatform(m.platform)] : [],
  );
}
