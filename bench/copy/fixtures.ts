// Benchmark fixtures: incompressible random layers pushed with regctl (`blob put`, `manifest put`), an
// independent tool, so lifeboat is never graded on images its own code wrote. Layers are random bytes
// under the uncompressed OCI layer type: no tool has a reason to (de)compress them, and every digest is
// unique to this run. Nothing touches the disk: bytes are generated straight into regctl's stdin.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { toolPath } from '../../src/devenv/index.ts';
import type { ToolEnv } from './tool-env.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
/** Random bytes are produced and written in pieces of this size: big enough to be fast, small enough to stay out of RSS. */
const CHUNK = 1024 * 1024;

export interface Blob {
  readonly digest: string;
  readonly size: number;
}

export interface Manifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/**
 * One source image or index as a copier sees it: its repository and tag, every manifest (children
 * before the top one, which is last and tagged) and every blob, which is what the transfer floor moves.
 */
export interface Fixture {
  readonly repo: string;
  readonly tag: string;
  readonly manifests: readonly Manifest[];
  readonly blobs: readonly Blob[];
  readonly bytes: number;
}

export interface Pusher {
  /** Uploads `size` fresh random bytes (or `content`) as a blob into `host/repo`; returns its descriptor. */
  blob(repo: string, size: number, content?: Buffer): Promise<Blob>;
  manifest(repo: string, reference: string, mediaType: string, body: Buffer): Promise<Manifest>;
}

export function createPusher(host: string, tools: ToolEnv): Pusher {
  const regctl = toolPath('regctl');
  const run = async (
    args: string[],
    feed: (stdin: NodeJS.WritableStream) => Promise<void>,
  ): Promise<string> => {
    const child = spawn(regctl, args, { env: tools.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exit = once(child, 'close');
    await feed(child.stdin);
    const [code] = (await exit) as [number | null];
    if (code !== 0) throw new Error(`regctl ${args.join(' ')} failed (${String(code)}): ${err.trim()}`);
    return out.trim();
  };
  return {
    async blob(repo, size, content) {
      const hash = createHash('sha256');
      const out = await run(['blob', 'put', `${host}/${repo}`], async (stdin) => {
        if (content !== undefined) {
          hash.update(content);
          stdin.end(content);
          return;
        }
        for (let written = 0; written < size; written += CHUNK) {
          const piece = randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK, size - written)));
          hash.update(piece);
          if (!stdin.write(piece)) await once(stdin, 'drain');
        }
        stdin.end();
      });
      const digest = `sha256:${hash.digest('hex')}`;
      if (out !== digest) throw new Error(`regctl stored ${out} for a blob of digest ${digest}`);
      return { digest, size: content?.length ?? size };
    },
    async manifest(repo, reference, mediaType, body) {
      await run(['manifest', 'put', '-t', mediaType, `${host}/${repo}:${reference}`], (stdin) => {
        stdin.end(body);
        return Promise.resolve();
      });
      return { digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType, bytes: body };
    },
  };
}

export interface ImageSpec {
  readonly repo: string;
  readonly tag: string;
  readonly layers: number;
  readonly layerSize: number;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  /** Layers every image of a set shares: pushed as given, before the image's own layers. */
  readonly shared?: readonly Buffer[];
  /** Layer uploads at once. */
  readonly parallel?: number;
}

/** Pushes one image; returns it as a Fixture whose only manifest is tagged `spec.tag`. */
export async function pushImage(pusher: Pusher, spec: ImageSpec): Promise<Fixture> {
  const layers = await pushLayers(pusher, spec);
  return finishImage(pusher, spec, layers, spec.tag);
}

async function pushLayers(pusher: Pusher, spec: ImageSpec): Promise<Blob[]> {
  const shared = await Promise.all(
    (spec.shared ?? []).map((content) => pusher.blob(spec.repo, content.length, content)),
  );
  const own: Blob[] = new Array<Blob>(spec.layers);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spec.layers) {
      const i = next++;
      own[i] = await pusher.blob(spec.repo, spec.layerSize);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, spec.parallel ?? 2) }, worker));
  return [...shared, ...own];
}

async function finishImage(
  pusher: Pusher,
  spec: ImageSpec,
  layers: Blob[],
  reference: string,
): Promise<Fixture> {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const configBody = Buffer.from(
    JSON.stringify({
      ...platform,
      created: new Date().toISOString(),
      config: { Labels: { 'lifeboat.bench': `${spec.repo}:${spec.tag}` } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const config = await pusher.blob(spec.repo, configBody.length, configBody);
  const manifestBody = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    }),
  );
  const manifest = await pusher.manifest(spec.repo, reference, OCI_MANIFEST, manifestBody);
  const blobs = [config, ...layers];
  return {
    repo: spec.repo,
    tag: spec.tag,
    manifests: [manifest],
    blobs,
    bytes: blobs.reduce((sum, b) => sum + b.size, 0) + manifestBody.length,
  };
}

export interface IndexSpec {
  readonly repo: string;
  readonly tag: string;
  readonly platforms: readonly string[];
  readonly layers: number;
  readonly layerSize: number;
}

/** Pushes one image per platform (each tagged `<tag>-<platform>`), then an OCI index of them tagged `tag`. */
export async function pushIndex(pusher: Pusher, spec: IndexSpec): Promise<Fixture> {
  const children: Fixture[] = [];
  const platforms = spec.platforms.map((p) => {
    const [os = 'linux', architecture = 'amd64', variant] = p.split('/');
    return variant === undefined ? { os, architecture } : { os, architecture, variant };
  });
  for (const platform of platforms) {
    const childTag = `${spec.tag}-${[platform.os, platform.architecture, platform.variant ?? ''].join('-')}`;
    children.push(
      await pushImage(pusher, {
        repo: spec.repo,
        tag: childTag,
        layers: spec.layers,
        layerSize: spec.layerSize,
        platform,
      }),
    );
  }
  const indexBody = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((child, i) => {
        const m = child.manifests[0];
        if (m === undefined) throw new Error('image fixture without a manifest');
        return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, platform: platforms[i] };
      }),
    }),
  );
  const index = await pusher.manifest(spec.repo, spec.tag, OCI_INDEX, indexBody);
  const blobs = children.flatMap((c) => c.blobs);
  const manifests = [...children.flatMap((c) => c.manifests), index];
  return {
    repo: spec.repo,
    tag: spec.tag,
    manifests,
    blobs,
    bytes: blobs.reduce((s, b) => s + b.size, 0) + manifests.reduce((s, m) => s + m.bytes.length, 0),
  };
}

export interface SmallSetSpec {
  readonly count: number;
  readonly layers: number;
  readonly layerSize: number;
  /** Images pushed at once. */
  readonly parallel: number;
}

/** `count` images `small/img-NNN:v1`; their first layer is one blob shared by all of them. */
export async function pushSmallSet(pusher: Pusher, spec: SmallSetSpec): Promise<Fixture[]> {
  const shared = randomFillSync(Buffer.allocUnsafe(spec.layerSize));
  const out: Fixture[] = new Array<Fixture>(spec.count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spec.count) {
      const i = next++;
      out[i] = await pushImage(pusher, {
        repo: `small/img-${String(i).padStart(3, '0')}`,
        tag: 'v1',
        layers: spec.layers - 1,
        layerSize: spec.layerSize,
        shared: [shared],
        parallel: spec.layers,
      });
    }
  };
  await Promise.all(Array.from({ length: spec.parallel }, worker));
  return out;
}
