// Fixture images, built and pushed by crane (an independent tool), so lifeboat is never graded by
// its own code. Layers are tarballs of random bytes: every fixture's digests are unique.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRegistry } from './registry.ts';
import { runTool } from './tools.ts';

export interface FixtureOptions {
  readonly layers: number;
  /** Bytes of random content per layer (before crane gzips it). */
  readonly layerSize: number;
  readonly mediaTypes?: 'docker' | 'oci';
}

export interface PushedImage {
  /** `host/repo:tag` */
  readonly ref: string;
  readonly digest: string;
  readonly mediaType: string;
  /** Config and layers, as the manifest lists them. */
  readonly blobs: readonly { readonly digest: string; readonly size: number; readonly mediaType: string }[];
}

export interface PushedIndex {
  readonly ref: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly children: readonly { readonly platform: string; readonly digest: string; readonly ref: string }[];
}

interface ImageManifest {
  mediaType?: string;
  config: { digest: string; size: number; mediaType: string };
  layers: { digest: string; size: number; mediaType: string }[];
}

export async function pushImage(
  registry: LocalRegistry,
  repoAndTag: string,
  options: FixtureOptions & { readonly platform?: string },
): Promise<PushedImage> {
  const ref = `${registry.host}/${repoAndTag}`;
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-fixture-'));
  try {
    const args = ['append', '-t', ref];
    if (options.mediaTypes === 'oci') args.push('--oci-empty-base');
    for (let i = 0; i < options.layers; i++) {
      const file = join(dir, `layer-${i}.tar`);
      writeFileSync(file, tarWithOneFile(`data-${i}.bin`, randomBytes(options.layerSize)));
      args.push('-f', file);
    }
    await runTool('crane', args, { registries: [registry] });
    if (options.platform) {
      await runTool('crane', ['mutate', ref, '--set-platform', options.platform, '-t', ref], {
        registries: [registry],
      });
    }
    return await describeImage(registry, ref);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A multi-platform index (OCI) or manifest list (Docker) with one fresh image per platform. */
export async function pushIndex(
  registry: LocalRegistry,
  repoAndTag: string,
  options: FixtureOptions & { readonly platforms: readonly string[] },
): Promise<PushedIndex> {
  const ref = `${registry.host}/${repoAndTag}`;
  const children: { platform: string; digest: string; ref: string }[] = [];
  for (const platform of options.platforms) {
    const childTag = `${repoAndTag}-${platform.replaceAll('/', '-')}`;
    const child = await pushImage(registry, childTag, { ...options, platform });
    children.push({ platform, digest: child.digest, ref: child.ref });
  }
  const args = ['index', 'append', '-t', ref];
  if (options.mediaTypes !== 'oci') args.push('--docker-empty-base');
  for (const child of children) args.push('-m', `${child.ref.replace(/:[^:/]+$/, '')}@${child.digest}`);
  await runTool('crane', args, { registries: [registry] });
  const digest = (await runTool('crane', ['digest', ref], { registries: [registry] })).stdout.trim();
  const index = JSON.parse(
    (await runTool('crane', ['manifest', ref], { registries: [registry] })).stdout,
  ) as {
    mediaType: string;
  };
  return { ref, digest, mediaType: index.mediaType, children };
}

async function describeImage(registry: LocalRegistry, ref: string): Promise<PushedImage> {
  const digest = (await runTool('crane', ['digest', ref], { registries: [registry] })).stdout.trim();
  const manifest = JSON.parse(
    (await runTool('crane', ['manifest', ref], { registries: [registry] })).stdout,
  ) as ImageManifest;
  return {
    ref,
    digest,
    mediaType: manifest.mediaType ?? '',
    blobs: [manifest.config, ...manifest.layers].map(({ digest: d, size, mediaType }) => ({
      digest: d,
      size,
      mediaType,
    })),
  };
}

/** A ustar archive holding one regular file: all a layer needs. */
function tarWithOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  header.write('00000000000\0', 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
