// copyImage: one image (or index) from a source repository to a target repository, byte for byte.
//
// Guarantees:
// - Fewest requests first: a target that already holds the source digest costs one HEAD on the target
//   and at most one HEAD on the source (none when the source is pinned by digest).
// - Everything under a manifest is in the target before that manifest is pushed, and the top manifest
//   is pushed last, so the target reference never names an incomplete image.
// - Every byte is verified: manifests by size and digest, blobs in flight (see verify-stream.ts).
// - A failure aborts the copy's other transfers and waits for them before rejecting.
import pino, { type Logger } from 'pino';
import type { Descriptor, Platform, RegistryClient } from '../types.ts';
import { digestOf, isDigest } from '../../reference/index.ts';
import {
  digestLike,
  filterIndex,
  formatPlatform,
  listChildren,
  parseManifest,
  parsePlatform,
  selectPlatforms,
  type ParsedManifest,
} from '../manifest/index.ts';
import { copyBlob, type BlobContext, type BlobOutcome } from './blob.ts';
import { CopyError, ManifestMismatchError } from './errors.ts';
import { blobsLargestFirst } from './plan.ts';
import { createProgressTracker, type CopyProgress, type ProgressTracker } from './progress.ts';
import { createCopyScheduler, type CopyScheduler } from './scheduler.ts';

/** Progress events at most this often while bytes flow; a terminal redraws no faster than this anyway. */
const PROGRESS_INTERVAL_MS = 100;

export interface ImageLocation {
  readonly client: RegistryClient;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

export interface CopyImageOptions {
  readonly source: ImageLocation;
  /** A tag (moved to the copy) or a digest (which must be the digest of what is copied). */
  readonly target: ImageLocation;
  /** Keep only these platforms of an index (`os/arch[/variant]`); this writes a new index. */
  readonly platforms?: readonly (string | Platform)[] | undefined;
  /** For a private scheduler; conflicts with `scheduler`. */
  readonly jobs?: number | undefined;
  /** For a private scheduler; conflicts with `scheduler`. */
  readonly perHostLimit?: number | undefined;
  /** Shared with concurrent copies so they dedupe blobs, share limits and mount from each other. */
  readonly scheduler?: CopyScheduler | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: CopyProgress) => void) | undefined;
  /** Repositories in the target registry known to hold a digest (earlier backups): mount candidates. */
  readonly mountSources?: ((digest: string) => Iterable<string>) | undefined;
  /** Chunk size of the chunked-upload fallback; the client's default otherwise. */
  readonly chunkSize?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: (() => number) | undefined;
}

export interface CopyResult {
  /** Digest of the source manifest the copy started from (before any platform filtering). */
  readonly sourceDigest: string;
  /** Digest of the top manifest in the target: the source digest, or the filtered index's digest. */
  readonly targetDigest: string;
  readonly mediaType: string;
  /** Platforms of the child manifests copied (empty for a single image or a present image). */
  readonly platforms: readonly string[];
  readonly bytesTotal: number;
  /** Bytes uploaded (not found present, not mounted). */
  readonly bytesCopied: number;
  readonly blobsTotal: number;
  readonly blobsCopied: number;
  readonly blobsSkipped: number;
  readonly blobsMounted: number;
  /** True when the target already held the image: nothing was read or written. */
  readonly skipped: boolean;
}

/** A manifest to push once everything under it is in the target. */
interface ManifestNode {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly blobs: readonly Descriptor[];
  readonly children: readonly ManifestNode[];
}

interface Resolved {
  readonly source: ImageLocation;
  readonly target: ImageLocation;
  readonly platforms: readonly Platform[] | undefined;
  readonly scheduler: CopyScheduler;
  readonly mountSources: (digest: string) => Iterable<string>;
  readonly chunkSize: number | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

function resolve(options: CopyImageOptions, describe: { source: string; target: string }): Resolved {
  const invalid = (message: string): CopyError =>
    new CopyError(message, { ...describe, code: 'COPY_INVALID_ARGUMENT', temporary: false });
  if (options.scheduler !== undefined && (options.jobs !== undefined || options.perHostLimit !== undefined)) {
    throw invalid('copyImage: give either a scheduler or jobs/perHostLimit, not both');
  }
  let platforms: Platform[] | undefined;
  try {
    platforms = options.platforms?.map((p) => (typeof p === 'string' ? parsePlatform(p) : p));
  } catch (error) {
    throw new CopyError(`copying ${describe.source} to ${describe.target}: ${(error as Error).message}`, {
      ...describe,
      code: 'COPY_INVALID_ARGUMENT',
      cause: error,
    });
  }
  if (platforms?.length === 0) platforms = undefined;
  let scheduler = options.scheduler;
  if (scheduler === undefined) {
    try {
      scheduler = createCopyScheduler({
        ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
        ...(options.perHostLimit === undefined ? {} : { perHostLimit: options.perHostLimit }),
      });
    } catch (error) {
      throw invalid(`copyImage: ${(error as Error).message}`);
    }
  }
  return {
    source: options.source,
    target: options.target,
    platforms,
    scheduler,
    mountSources: options.mountSources ?? (() => []),
    chunkSize: options.chunkSize,
    logger: options.logger ?? pino({ level: 'silent' }),
    now: options.now ?? (() => performance.now()),
  };
}

function describeLocation(location: ImageLocation): string {
  const sep = isDigest(location.reference) ? '@' : ':';
  return `${location.client.host}/${location.repository}${sep}${location.reference}`;
}

/** Copies the image at `options.source` to `options.target`; see the module header for guarantees. */
export async function copyImage(options: CopyImageOptions): Promise<CopyResult> {
  const describe = { source: describeLocation(options.source), target: describeLocation(options.target) };
  const resolved = resolve(options, describe);
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
  o: Resolved,
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
  let top: { digest: string; mediaType: string; bytes: Buffer; parsed: ParsedManifest } | undefined;
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
  if (present !== undefined && present.digest === wanted) {
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
    };
  }
  if (top === undefined) {
    const manifest = await source.client.getManifest(source.repository, sourceDigest, { signal });
    const parsed = parseManifest(manifest.bytes, manifest.mediaType);
    top = { digest: sourceDigest, mediaType: parsed.mediaType, bytes: manifest.bytes, parsed };
  }

  const tree = await buildNode(o, top, signal);
  const copiedPlatforms = top.parsed.kind === 'index' ? platformsOf(top.parsed.manifests, o.platforms) : [];
  const counts = await copyTree(o, tree, controller, progress);
  return {
    sourceDigest,
    targetDigest: top.digest,
    mediaType: top.mediaType,
    platforms: copiedPlatforms,
    ...counts,
    skipped: false,
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

/**
 * Reads what is under a manifest: its blobs, or its child manifests (skipping children the target
 * already holds, and everything under them).
 */
async function buildNode(
  o: Resolved,
  manifest: { digest: string; mediaType: string; bytes: Buffer; parsed: ParsedManifest },
  signal: AbortSignal,
): Promise<ManifestNode> {
  const children = listChildren(manifest.parsed);
  const nodes = await Promise.all(children.manifests.map((child) => buildChild(o, child, signal)));
  return {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    bytes: manifest.bytes,
    blobs: children.blobs,
    children: nodes.filter((n): n is ManifestNode => n !== undefined),
  };
}

async function buildChild(
  o: Resolved,
  child: Descriptor,
  signal: AbortSignal,
): Promise<ManifestNode | undefined> {
  const { source, target } = o;
  const present = await o.scheduler.light(
    target.client.host,
    () => target.client.headManifest(target.repository, child.digest, { signal }),
    signal,
  );
  if (present !== undefined) return undefined;
  const manifest = await o.scheduler.light(
    source.client.host,
    () => source.client.getManifest(source.repository, child.digest, { signal }),
    signal,
  );
  const mismatch = (what: string, expected: string, actual: string): ManifestMismatchError =>
    new ManifestMismatchError({
      what,
      registry: source.client.host,
      repository: source.repository,
      digest: child.digest,
      expected,
      actual,
    });
  if (manifest.bytes.length !== child.size)
    throw mismatch('size', String(child.size), String(manifest.bytes.length));
  const actual = digestLike(manifest.bytes, child.digest);
  if (actual !== child.digest) throw mismatch('digest', child.digest, actual);
  const parsed = parseManifest(manifest.bytes, child.mediaType);
  return buildNode(
    o,
    { digest: child.digest, mediaType: child.mediaType, bytes: manifest.bytes, parsed },
    signal,
  );
}

function collectBlobs(node: ManifestNode): (readonly Descriptor[])[] {
  return [node.blobs, ...node.children.flatMap(collectBlobs)];
}

async function copyTree(
  o: Resolved,
  tree: ManifestNode,
  controller: AbortController,
  progress: ProgressTracker,
): Promise<Omit<CopyResult, 'sourceDigest' | 'targetDigest' | 'mediaType' | 'platforms' | 'skipped'>> {
  const signal = controller.signal;
  const blobs = blobsLargestFirst(collectBlobs(tree));
  const bytesTotal = blobs.reduce((sum, b) => sum + b.size, 0);
  progress.addTotal(bytesTotal, blobs.length);
  const ctx: BlobContext = {
    source: o.source,
    target: o.target,
    scheduler: o.scheduler,
    progress,
    mountSources: o.mountSources,
    chunkSize: o.chunkSize,
    signal,
    logger: o.logger,
  };
  const counts = { copied: 0, skipped: 0, mounted: 0, bytesCopied: 0 };
  const tasks: Promise<unknown>[] = [];
  const track = <T>(promise: Promise<T>): Promise<T> => {
    // The first failure stops the rest of this copy; the others then settle quickly.
    promise.catch((error: unknown) => controller.abort(error));
    tasks.push(promise);
    return promise;
  };
  // Started in size order: the scheduler's queues serve the largest first.
  const blobDone = new Map<string, Promise<BlobOutcome>>();
  for (const blob of blobs) {
    const task = track(
      copyBlob(ctx, blob).then((outcome) => {
        if (outcome === 'copied') {
          counts.copied++;
          counts.bytesCopied += blob.size;
          progress.blobDone(0);
        } else {
          counts[outcome === 'present' ? 'skipped' : 'mounted']++;
          progress.blobDone(blob.size);
        }
        return outcome;
      }),
    );
    blobDone.set(blob.digest, task);
  }
  const push = async (node: ManifestNode, reference: string): Promise<void> => {
    await Promise.all([
      ...node.blobs.map((b) => blobDone.get(b.digest)),
      ...node.children.map((c) => pushed(c)),
    ]);
    const digest = await o.target.client.putManifest(
      o.target.repository,
      reference,
      { mediaType: node.mediaType, bytes: node.bytes },
      { signal },
    );
    if (sameAlgorithm(digest, node.digest) && digest !== node.digest) {
      throw new ManifestMismatchError({
        what: 'digest reported after push',
        registry: o.target.client.host,
        repository: o.target.repository,
        digest: node.digest,
        expected: node.digest,
        actual: digest,
      });
    }
  };
  const pushes = new Map<ManifestNode, Promise<void>>();
  const pushed = (node: ManifestNode): Promise<void> => {
    let promise = pushes.get(node);
    if (promise === undefined) {
      promise = track(push(node, node.digest));
      pushes.set(node, promise);
    }
    return promise;
  };
  // The top manifest goes under the target reference, after every child (pushed by digest).
  track(push(tree, o.target.reference)).catch(() => {});
  // Every task is registered by now: push() registers its children's pushes before its first await.
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw firstCause(controller, failure.reason);
  return {
    bytesTotal,
    bytesCopied: counts.bytesCopied,
    blobsTotal: blobs.length,
    blobsCopied: counts.copied,
    blobsSkipped: counts.skipped,
    blobsMounted: counts.mounted,
  };
}

/** The error that stopped the copy, rather than the aborts it caused in the other tasks. */
function firstCause(controller: AbortController, fallback: unknown): unknown {
  return controller.signal.aborted ? (controller.signal.reason as unknown) : fallback;
}

function sameAlgorithm(a: string, b: string): boolean {
  return a.slice(0, a.indexOf(':')) === b.slice(0, b.indexOf(':'));
}
