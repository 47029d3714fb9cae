// Reads from the source what is under a manifest the target lacks: its blobs, or its child
// manifests, each checked against the descriptor that named it (size and digest) before it is
// trusted. A child the target already holds is neither read from the source nor descended into
// (only handed to `onPresent`, which checks its anchors).
import type { Descriptor, RegistryClient } from '../model/types.ts';
import { digestLike, listChildren, parseManifest, type ParsedManifest } from '../manifest/index.ts';
import { ManifestMismatchError } from './errors.ts';
import type { ManifestNode } from './plan.ts';
import type { CopyScheduler } from './scheduler.ts';

export interface TreeContext {
  readonly source: { readonly client: RegistryClient; readonly repository: string };
  readonly target: { readonly client: RegistryClient; readonly repository: string };
  /** Manifest reads are light requests: they share the scheduler's per-host limits. */
  readonly scheduler: CopyScheduler;
  readonly signal: AbortSignal;
  /** Called for each child manifest the target already holds (anchors.ts checks its anchors). */
  readonly onPresent?: ((child: Descriptor) => Promise<void>) | undefined;
}

/** A manifest read and parsed, with the digest it is known by. */
export interface ReadManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly parsed: ParsedManifest;
}

/** `manifest` with everything under it that the target lacks, children read in parallel. */
export async function readTree(ctx: TreeContext, manifest: ReadManifest): Promise<ManifestNode> {
  const children = listChildren(manifest.parsed);
  const nodes = await Promise.all(children.manifests.map((child) => readChild(ctx, child)));
  return {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    bytes: manifest.bytes,
    blobs: children.blobs,
    children: nodes.filter((n): n is ManifestNode => n !== undefined),
  };
}

async function readChild(ctx: TreeContext, child: Descriptor): Promise<ManifestNode | undefined> {
  const { source, target, scheduler, signal } = ctx;
  const present = await scheduler.light(
    target.client.host,
    () => target.client.headManifest(target.repository, child.digest, { signal }),
    signal,
  );
  if (present !== undefined) {
    await ctx.onPresent?.(child);
    return undefined;
  }
  const manifest = await scheduler.light(
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
  return readTree(ctx, { digest: child.digest, mediaType: child.mediaType, bytes: manifest.bytes, parsed });
}
