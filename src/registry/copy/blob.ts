// Copies one blob into the target repository, spending as little as possible: present (HEAD) →
// mounted (cross-repository, from a repository known to hold it) → uploaded (streamed from the
// source, verified in flight; monolithic, then chunked with a fresh source body when that fails for a
// reason other than wrong content, restarted with backoff while failures are temporary).
import { pipeline } from 'node:stream';
import type { Logger } from 'pino';
import type { Descriptor, RegistryClient } from '../model/types.ts';
import { BlobMismatchError } from './errors.ts';
import { mountCandidates } from './mount-candidates.ts';
import type { ProgressTracker } from './progress.ts';
import type { CopyScheduler } from './scheduler.ts';
import { isTemporary } from '../model/errors.ts';
import { untilAborted } from '../model/until-aborted.ts';
import { createVerifier } from './verify-stream.ts';

/** Buffers one streaming transfer may hold: socket read + verifier + upload write, with slack. */
const STREAM_RESERVE_BYTES = 512 * 1024;

export type BlobOutcome = 'present' | 'mounted' | 'copied';

export interface BlobContext {
  readonly source: { readonly client: RegistryClient; readonly repository: string };
  readonly target: { readonly client: RegistryClient; readonly repository: string };
  readonly scheduler: CopyScheduler;
  readonly progress: ProgressTracker;
  readonly mountSources: (digest: string) => Iterable<string>;
  readonly chunkSize: number | undefined;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * Placements by other copies a caller waits out before placing the blob outside the single-flight.
 * Each wait ends with the blob landed (the next round is a HEAD or a mount) or failed (the next round
 * may upload); past this bound an upload may run beside another one, never more than this many deep.
 */
const MAX_SHARED_WAITS = 3;

/**
 * Puts `blob` in the target repository. Contract: when this resolves, the blob is in
 * `ctx.target.repository` itself — never merely somewhere else in the target registry.
 *
 * Concurrent copies of one digest into one registry are single-flighted by host + digest (not
 * repository), so the bytes cross the wire once: a caller that finds another copy placing the digest
 * waits for it (or for its own signal), then places it itself, again through the single-flight: that
 * finds the blob present (same repository) or mounts it from the repository where it landed (the
 * scheduler remembers it), and uploads only when neither works — so even on a registry that cannot
 * mount, two uploads of one digest do not run at once. The other copy's outcome is never taken as
 * this caller's: it may have placed the blob in a different repository.
 */
export async function copyBlob(ctx: BlobContext, blob: Descriptor): Promise<BlobOutcome> {
  const key = `${ctx.target.client.host} ${blob.digest}`;
  for (let wait = 0; wait < MAX_SHARED_WAITS; wait++) {
    const { promise, shared } = ctx.scheduler.once(key, () => placeBlob(ctx, blob));
    if (!shared) return promise;
    // Another copy's error or abort is not ours: whatever its outcome, try to place it ourselves.
    await untilAborted(
      promise.catch(() => undefined),
      ctx.signal,
    );
  }
  return placeBlob(ctx, blob);
}

async function placeBlob(ctx: BlobContext, blob: Descriptor): Promise<BlobOutcome> {
  const { target, signal } = ctx;
  const host = target.client.host;
  const outcome = await ctx.scheduler.light(host, () => presentOrMounted(ctx, blob), signal);
  if (outcome !== undefined) {
    ctx.scheduler.remember(host, blob.digest, target.repository);
    return outcome;
  }
  const spec = {
    hosts: [ctx.source.client.host, host],
    size: blob.size,
    reserve: Math.min(blob.size, STREAM_RESERVE_BYTES),
  };
  await ctx.scheduler.transfer(spec, () => upload(ctx, blob), signal);
  ctx.scheduler.remember(host, blob.digest, target.repository);
  return 'copied';
}

async function presentOrMounted(ctx: BlobContext, blob: Descriptor): Promise<BlobOutcome | undefined> {
  const { target, source, signal } = ctx;
  if ((await target.client.headBlob(target.repository, blob.digest, { signal })) !== undefined)
    return 'present';
  const candidates = mountCandidates({
    targetRepository: target.repository,
    given: ctx.mountSources(blob.digest),
    known: ctx.scheduler.locations(target.client.host, blob.digest),
    sameRegistrySource: source.client.host === target.client.host ? source.repository : undefined,
  });
  for (const from of candidates) {
    try {
      if (await target.client.mountBlob(target.repository, blob.digest, from, { signal })) return 'mounted';
    } catch (error) {
      signal.throwIfAborted();
      // A refused mount (missing pull scope on `from`, a registry without mounts) only costs the upload.
      ctx.logger.debug({ err: error, digest: blob.digest, from }, 'mount failed; trying the next way');
    }
  }
  return undefined;
}

/** Marks failures of the source GET itself: a fresh attempt would meet the same answer. */
class SourceOpenError extends Error {}

/**
 * Monolithic first; after any failure but wrong content, chunked (some registries and proxies refuse
 * large single PUTs), then chunked again while the failures are temporary. Each restart has a fresh
 * source GET and a new session: the transport cannot replay a streamed body, so a 429 (Retry-After
 * honoured), a 5xx or a reset during an upload is retried here, when the target's client says
 * (`waitToRestartUpload`).
 */
async function upload(ctx: BlobContext, blob: Descriptor): Promise<void> {
  const { client } = ctx.target;
  let mode: 'monolithic' | 'chunked' = 'monolithic';
  for (let failures = 1; ; failures++) {
    try {
      return await uploadOnce(ctx, blob, mode);
    } catch (error) {
      ctx.signal.throwIfAborted();
      if (error instanceof SourceOpenError) throw error.cause;
      if (error instanceof BlobMismatchError && error.code === 'BLOB_DIGEST_MISMATCH') throw error;
      if (mode === 'chunked' && !isTemporary(error)) throw error;
      if (!(await client.waitToRestartUpload(failures, error, { signal: ctx.signal }))) throw error;
      ctx.logger.warn(
        { err: error, digest: blob.digest, failures, mode },
        'blob upload failed; restarting it as a chunked upload with a fresh source read',
      );
      mode = 'chunked';
    }
  }
}

async function uploadOnce(ctx: BlobContext, blob: Descriptor, mode: 'monolithic' | 'chunked'): Promise<void> {
  const { source, target, signal } = ctx;
  let reader;
  try {
    reader = await source.client.getBlob(source.repository, blob.digest, { signal });
  } catch (error) {
    throw new SourceOpenError('source blob GET failed', { cause: error });
  }
  let moved = 0;
  const verifier = createVerifier({
    registry: source.client.host,
    repository: source.repository,
    digest: blob.digest,
    size: blob.size,
    onBytes: (bytes) => {
      moved += bytes;
      ctx.progress.addBytes(bytes);
    },
  });
  if (reader.size >= 0 && reader.size !== blob.size) {
    reader.body.destroy();
    throw new BlobMismatchError({
      kind: 'size',
      registry: source.client.host,
      repository: source.repository,
      digest: blob.digest,
      expected: String(blob.size),
      actual: String(reader.size),
    });
  }
  // pipeline() destroys the source body when the upload side stops early, so the GET never leaks.
  const body = pipeline(reader.body, verifier.stream, () => {});
  try {
    if (mode === 'monolithic') {
      await target.client.pushBlob(target.repository, blob.digest, blob.size, body, { signal });
    } else {
      const options = ctx.chunkSize === undefined ? { signal } : { signal, chunkSize: ctx.chunkSize };
      await target.client.pushBlobChunked(target.repository, blob.digest, blob.size, body, options);
    }
    if (verifier.failure !== undefined) throw verifier.failure;
  } catch (error) {
    ctx.progress.addBytes(-moved);
    throw verifier.failure ?? error;
  } finally {
    if (!body.destroyed) body.destroy();
  }
}
