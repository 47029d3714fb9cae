// What a raw copier (the curl floor, the Node pass-through) is told to move: every blob of every
// fixture and every manifest, written by the harness to a JSON file that the child process reads.
// Both raw copiers take their work and its order from here, so they differ only in their transport.
import { readFileSync } from 'node:fs';

export interface TransferPlan {
  readonly source: string;
  readonly target: string;
  /** Blobs moved at once. */
  readonly parallel: number;
  readonly copies: readonly {
    readonly sourceRepo: string;
    readonly targetRepo: string;
    readonly tag: string;
    readonly blobs: readonly { readonly digest: string; readonly size: number }[];
    /** Children first; the last one is pushed by `tag`, the others by digest. */
    readonly manifests: readonly {
      readonly digest: string;
      readonly mediaType: string;
      readonly base64: string;
    }[];
  }[];
}

export interface BlobJob {
  readonly sourceRepo: string;
  readonly targetRepo: string;
  readonly digest: string;
  readonly size: number;
}

export interface ManifestPut {
  readonly targetRepo: string;
  /** The tag for the top manifest, the digest for its children. */
  readonly reference: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/** The plan named by the first argument of the child process. */
export function readPlan(script: string): TransferPlan {
  const planFile = process.argv[2];
  if (planFile === undefined) throw new Error(`usage: node ${script} PLAN.json`);
  return JSON.parse(readFileSync(planFile, 'utf8')) as TransferPlan;
}

/** Every blob of every copy, largest first, so the longest transfers start first. */
export function blobJobs(plan: TransferPlan): BlobJob[] {
  return plan.copies
    .flatMap((c) => c.blobs.map((b) => ({ sourceRepo: c.sourceRepo, targetRepo: c.targetRepo, ...b })))
    .sort((a, b) => b.size - a.size);
}

/**
 * Each copy's manifests in the order they must be put once its blobs are in: children before the
 * index that names them (a registry may check), the top one by tag.
 */
export function manifestPuts(plan: TransferPlan): ManifestPut[][] {
  return plan.copies.map((c) =>
    c.manifests.map((m, i) => ({
      targetRepo: c.targetRepo,
      reference: i === c.manifests.length - 1 ? c.tag : m.digest,
      mediaType: m.mediaType,
      bytes: Buffer.from(m.base64, 'base64'),
    })),
  );
}

/** Runs `work` on every item, `parallel` at a time; rejects with the first failure. */
export async function inPool<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
