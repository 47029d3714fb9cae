// The copy plan: what to copy and in which order, as a pure function of the manifests read from the
// source (tree.ts reads them; push.ts carries the plan out). Its promises:
// - every distinct blob once, largest first, so the biggest transfers start first and the tail is short;
// - every distinct manifest once, each after everything it names (child manifests before the index
//   that lists them), so no manifest is pushed before what it references is in the target;
// - the top manifest last, under the target reference, so that reference never names an incomplete
//   image; every other manifest under its own digest;
// - with anchors (anchor-tag.ts), every manifest under its anchor tag instead of its digest (a PUT by
//   tag stores the manifest by digest too, so this costs nothing), and the top under its anchor before
//   its target tag (one more PUT of bytes already uploaded): the target tag never names a manifest a
//   garbage collector of untagged manifests may delete, and a manifest's anchor is written only after
//   the anchors of all it names.
import { isDigest } from '../../reference/index.ts';
import type { Descriptor } from '../model/types.ts';
import { anchorTag } from './anchor-tag.ts';

/** A manifest the target lacks, and what is under it. */
export interface ManifestNode {
  readonly digest: string;
  readonly mediaType: string;
  /** The exact source bytes: pushed as they are, since the digest is their hash. */
  readonly bytes: Buffer;
  /** An image's config and layers; none for an index. */
  readonly blobs: readonly Descriptor[];
  /** An index's child manifests that the target lacks (those it holds are left out, with all below). */
  readonly children: readonly ManifestNode[];
}

/** One manifest to push, once its `blobs` and `children` are in the target. */
export interface ManifestPush {
  readonly node: ManifestNode;
  /**
   * PUT in this order: the first uploads the manifest, the others tag the same bytes. Without anchors
   * the target reference for the top manifest, the manifest's own digest for every other; with them,
   * its anchor tag first (when it has one), then the top's target tag unless that is its digest.
   */
  readonly references: readonly string[];
}

export interface CopyPlan {
  /** Distinct blobs, in the order their transfers start. */
  readonly blobs: readonly Descriptor[];
  /** Distinct manifests in push order: each after all it names, the top last. */
  readonly pushes: readonly ManifestPush[];
  /** How many anchor tags the pushes write. */
  readonly anchors: number;
  /** Manifests left without an anchor: their digest is not sha256 (anchor-tag.ts). */
  readonly unanchored: readonly string[];
}

export interface PlanOptions {
  /** Push every manifest under its anchor tag (anchor-tag.ts); off by default. */
  readonly anchor?: boolean | undefined;
}

/** The plan for copying `top` (and everything under it) to `targetReference`. */
export function planCopy(top: ManifestNode, targetReference: string, options: PlanOptions = {}): CopyPlan {
  const pushes: ManifestPush[] = [];
  const unanchored: string[] = [];
  let anchors = 0;
  const referencesOf = (node: ManifestNode, reference: string): string[] => {
    const tag = options.anchor === true ? anchorTag(node.digest) : undefined;
    if (options.anchor === true && tag === undefined) unanchored.push(node.digest);
    if (tag === undefined) return [reference];
    anchors++;
    // `reference` is the node's digest, or the copy's target digest (the top's own): the anchor names it.
    return isDigest(reference) ? [tag] : [tag, reference];
  };
  const blobLists: (readonly Descriptor[])[] = [];
  const seen = new Set<string>([top.digest]);
  // Depth first, each node after its children. A digest names its bytes, so the tree has no cycles:
  // a child already seen has already been planned, earlier in `pushes`.
  const visit = (node: ManifestNode, reference: string): void => {
    for (const child of node.children) {
      if (seen.has(child.digest)) continue;
      seen.add(child.digest);
      visit(child, child.digest);
    }
    blobLists.push(node.blobs);
    pushes.push({ node, references: referencesOf(node, reference) });
  };
  visit(top, targetReference);
  return { blobs: blobsLargestFirst(blobLists), pushes, anchors, unanchored };
}

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
