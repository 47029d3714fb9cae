// Source images for the scenarios, pushed by crane (src/devenv fixtures): fresh random layers each
// time, so every scenario's images have digests of their own and no scenario sees another's backups.
import { pushImage, pushIndex, type LocalRegistry } from '../../../src/devenv/index.ts';
import type { SourceImage } from './suite.ts';

const SMALL = { layers: 2, layerSize: 16 * 1024 } as const;

/** A single-platform image `path:tag`. */
export async function sourceImage(
  registry: LocalRegistry,
  path: string,
  tag: string,
  size: { layers: number; layerSize: number } = SMALL,
): Promise<SourceImage> {
  const pushed = await pushImage(registry, `${path}:${tag}`, size);
  return { registry, path, tag, digest: pushed.digest };
}

/** A multi-platform index `path:tag` (linux/amd64 and linux/arm64). */
export async function sourceIndex(registry: LocalRegistry, path: string, tag: string): Promise<SourceImage> {
  const pushed = await pushIndex(registry, `${path}:${tag}`, {
    ...SMALL,
    platforms: ['linux/amd64', 'linux/arm64'],
  });
  return { registry, path, tag, digest: pushed.digest };
}

/** The same image referenced by digest only (`host/path@sha256:…`). */
export const byDigestOnly = (s: SourceImage): SourceImage => ({
  registry: s.registry,
  path: s.path,
  pinned: s.digest,
  digest: s.digest,
});

/** The same image referenced by tag and digest (`host/path:tag@sha256:…`). */
export const byTagAndDigest = (s: SourceImage): SourceImage => ({ ...s, pinned: s.digest });

/** One single-platform image `{prefix}/{name}:{tag}` per name, pushed in parallel. */
export async function sourceImages<const N extends string>(
  registry: LocalRegistry,
  prefix: string,
  names: readonly N[],
  tag = '1',
): Promise<Record<N, SourceImage>> {
  const images = await Promise.all(names.map((n) => sourceImage(registry, `${prefix}/${n}`, tag)));
  return Object.fromEntries(names.map((n, i) => [n, images[i]!])) as Record<N, SourceImage>;
}
