// Carries out a copy plan (plan.ts) bottom-up: every blob transfer starts at once, in plan order (the
// scheduler's queues then serve the largest first), and each manifest is pushed as soon as its blobs
// and child manifests are in the target. The first failure aborts the copy's other tasks, and every
// task has settled before this returns or throws.
import { ManifestMismatchError } from './errors.ts';
import { copyBlob, type BlobContext, type BlobOutcome } from './blob.ts';
import type { RegistryClient } from '../model/types.ts';
import type { CopyPlan, ManifestNode, ManifestPush } from './plan.ts';

/** What each blob copy needs (blob.ts), but the signal: that is the plan's controller's. */
export type PushContext = Omit<BlobContext, 'signal'>;

/** What the blobs of a copy cost: found present, mounted, or uploaded. */
export interface BlobCounts {
  readonly bytesTotal: number;
  /** Bytes uploaded (not found present, not mounted). */
  readonly bytesCopied: number;
  readonly blobsTotal: number;
  readonly blobsCopied: number;
  readonly blobsSkipped: number;
  readonly blobsMounted: number;
}

/** Runs `plan` into the target; `controller` aborts the other tasks when one fails. */
export async function pushPlan(
  ctx: PushContext,
  plan: CopyPlan,
  controller: AbortController,
): Promise<BlobCounts> {
  const signal = controller.signal;
  const { progress } = ctx;
  const bytesTotal = plan.blobs.reduce((sum, b) => sum + b.size, 0);
  progress.addTotal(bytesTotal, plan.blobs.length);
  const blobContext = { ...ctx, signal };
  const counts = { copied: 0, skipped: 0, mounted: 0, bytesCopied: 0 };
  const tasks: Promise<unknown>[] = [];
  const track = <T>(promise: Promise<T>): Promise<T> => {
    // The first failure stops the rest of this copy; the others then settle quickly.
    promise.catch((error: unknown) => controller.abort(error));
    tasks.push(promise);
    return promise;
  };
  const blobsDone = new Map<string, Promise<unknown>>();
  const pushesDone = new Map<string, Promise<unknown>>();
  for (const blob of plan.blobs) {
    const task = copyBlob(blobContext, blob).then((outcome: BlobOutcome) => {
      if (outcome === 'copied') {
        counts.copied++;
        counts.bytesCopied += blob.size;
        progress.blobDone(0);
      } else {
        counts[outcome === 'present' ? 'skipped' : 'mounted']++;
        progress.blobDone(blob.size);
      }
    });
    blobsDone.set(blob.digest, track(task));
  }
  // Plan order puts every manifest after what it names, so each waits only on tasks already made.
  for (const push of plan.pushes) {
    const after = [
      ...push.node.blobs.map((b) => awaited(blobsDone, b.digest)),
      ...push.node.children.map((c) => awaited(pushesDone, c.digest)),
    ];
    pushesDone.set(push.node.digest, track(Promise.all(after).then(() => pushManifest(ctx, push, signal))));
  }
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  // The error that stopped the copy, rather than the aborts it caused in the other tasks.
  if (failure !== undefined) throw signal.aborted ? (signal.reason as unknown) : failure.reason;
  return {
    bytesTotal,
    bytesCopied: counts.bytesCopied,
    blobsTotal: plan.blobs.length,
    blobsCopied: counts.copied,
    blobsSkipped: counts.skipped,
    blobsMounted: counts.mounted,
  };
}

/** The task that places `digest`; a plan out of order fails the copy instead of pushing too early. */
function awaited(done: ReadonlyMap<string, Promise<unknown>>, digest: string): Promise<unknown> {
  return (
    done.get(digest) ?? Promise.reject(new Error(`copy plan out of order: ${digest} is not placed first`))
  );
}

async function pushManifest(ctx: PushContext, push: ManifestPush, signal: AbortSignal): Promise<void> {
  // In order: the first reference uploads the manifest, the others (a top's target tag after its
  // anchor) tag the same bytes.
  for (const reference of push.references) await putManifest(ctx.target, push.node, reference, signal);
}

/** PUTs `node`'s exact bytes under `reference`; fails if the registry reports another digest. */
export async function putManifest(
  target: { readonly client: RegistryClient; readonly repository: string },
  node: Pick<ManifestNode, 'digest' | 'mediaType' | 'bytes'>,
  reference: string,
  signal: AbortSignal,
): Promise<void> {
  const { client, repository } = target;
  const digest = await client.putManifest(
    repository,
    reference,
    { mediaType: node.mediaType, bytes: node.bytes },
    { signal },
  );
  // A report in another algorithm than the manifest's cannot be compared; one in its own must agree.
  if (sameAlgorithm(digest, node.digest) && digest !== node.digest) {
    throw new ManifestMismatchError({
      what: 'digest reported after push',
      registry: client.host,
      repository,
      digest: node.digest,
      expected: node.digest,
      actual: digest,
    });
  }
}

function sameAlgorithm(a: string, b: string): boolean {
  return a.slice(0, a.indexOf(':')) === b.slice(0, b.indexOf(':'));
}
