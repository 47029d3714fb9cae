// Pure planning decisions of a copy: which blobs, in which order, and where to try mounting from.
import type { Descriptor } from '../types.ts';

/**
 * The distinct blobs under a set of images, largest first (ties by digest, so the order is stable):
 * the biggest transfers start first and the copy's tail is short. A digest shared by several images
 * (platforms often share their config or a base layer) appears once.
 */
export function blobsLargestFirst(blobLists: readonly (readonly Descriptor[])[]): Descriptor[] {
  const byDigest = new Map<string, Descriptor>();
  for (const list of blobLists)
    for (const blob of list) if (!byDigest.has(blob.digest)) byDigest.set(blob.digest, blob);
  return [...byDigest.values()].sort(
    (a, b) => b.size - a.size || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0),
  );
}

/** Mount attempts per blob: each refusal costs a round trip (and an upload session to cancel). */
export const MAX_MOUNT_ATTEMPTS = 3;

/**
 * Repositories to try a cross-repository mount from, in order: those the caller named, those this
 * process already put the blob in, then the source repository when source and target are the same
 * registry. Never the target repository itself.
 */
export function mountCandidates(input: {
  readonly targetRepository: string;
  readonly given: Iterable<string>;
  readonly known: Iterable<string>;
  readonly sameRegistrySource: string | undefined;
}): string[] {
  const out: string[] = [];
  const add = (repository: string): void => {
    if (repository !== input.targetRepository && repository !== '' && !out.includes(repository))
      out.push(repository);
  };
  for (const r of input.given) add(r);
  for (const r of input.known) add(r);
  if (input.sameRegistrySource !== undefined) add(input.sameRegistrySource);
  return out.slice(0, MAX_MOUNT_ATTEMPTS);
}
