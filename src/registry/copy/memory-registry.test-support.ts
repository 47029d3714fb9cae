// An in-memory registry double for the copy engine's tests: enough of a registry to check what the
// engine asks and stores. Test support only: no product code imports it (and the test runner's
// "*.test.ts" glob does not take it for a test file).
import { Readable } from 'node:stream';
import { digestOf } from '../../reference/index.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../manifest/index.ts';
import { createUploadRestartWait } from '../client/upload-restarts.ts';
import type { BlobReader, Manifest, ManifestHead, RegistryClient } from '../model/types.ts';

export interface StoredManifest {
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly digest: string;
}

export interface MemoryRegistry extends RegistryClient {
  readonly calls: string[];
  readonly blobs: Map<string, Buffer>;
  /** repository → digests it links (like distribution's per-repository links). */
  readonly links: Map<string, Set<string>>;
  readonly manifests: Map<string, StoredManifest>;
  /** Order in which manifests were pushed (`repository@reference`). */
  readonly pushes: string[];
  uploadedBytes: number;
}

export function memoryRegistry(host: string, options: { readonly mount?: boolean } = {}): MemoryRegistry {
  const blobs = new Map<string, Buffer>();
  const links = new Map<string, Set<string>>();
  const manifests = new Map<string, StoredManifest>();
  const calls: string[] = [];
  const pushes: string[] = [];
  const link = (repository: string, digest: string): void => {
    const set = links.get(repository) ?? new Set<string>();
    set.add(digest);
    links.set(repository, set);
  };
  const has = (repository: string, digest: string): boolean => links.get(repository)?.has(digest) === true;
  const lookup = (repository: string, reference: string): StoredManifest | undefined =>
    manifests.get(`${repository}@${reference}`) ?? manifests.get(`${repository}:${reference}`);
  // Stores whatever body ends, under the digest it was told: a naive registry, so that a test sees
  // exactly what the engine let through.
  const receive = async (repository: string, digest: string, body: Readable): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      registry.uploadedBytes += (chunk as Buffer).length;
    }
    blobs.set(digest, Buffer.concat(chunks));
    link(repository, digest);
  };
  const registry: MemoryRegistry = {
    host,
    calls,
    blobs,
    links,
    manifests,
    pushes,
    uploadedBytes: 0,
    headManifest(repository, reference): Promise<ManifestHead | undefined> {
      calls.push(`HEAD manifest ${repository} ${reference}`);
      const m = lookup(repository, reference);
      return Promise.resolve(m && { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length });
    },
    getManifest(repository, reference): Promise<Manifest> {
      calls.push(`GET manifest ${repository} ${reference}`);
      const m = lookup(repository, reference);
      if (m === undefined) return Promise.reject(new Error(`manifest unknown ${repository} ${reference}`));
      return Promise.resolve({
        digest: m.digest,
        mediaType: m.mediaType,
        size: m.bytes.length,
        bytes: m.bytes,
      });
    },
    putManifest(repository, reference, manifest) {
      calls.push(`PUT manifest ${repository} ${reference}`);
      // Like distribution: refuse a manifest whose children are not in the repository yet.
      const body = JSON.parse(manifest.bytes.toString()) as {
        manifests?: { digest: string }[];
        config?: { digest: string };
        layers?: { digest: string }[];
      };
      const children = [
        ...(body.manifests ?? []).map((m) => m.digest),
        ...(body.config ? [body.config.digest] : []),
        ...(body.layers ?? []).map((l) => l.digest),
      ];
      const missing = children.filter((d) => !has(repository, d));
      if (missing.length > 0) return Promise.reject(new Error(`MANIFEST_BLOB_UNKNOWN ${missing.join(',')}`));
      const digest = digestOf(manifest.bytes);
      const stored = { mediaType: manifest.mediaType, bytes: manifest.bytes, digest };
      manifests.set(`${repository}@${digest}`, stored);
      if (!reference.includes(':')) manifests.set(`${repository}:${reference}`, stored);
      link(repository, digest);
      pushes.push(`${repository}@${reference}`);
      return Promise.resolve(digest);
    },
    headBlob(repository, digest) {
      calls.push(`HEAD blob ${repository} ${digest}`);
      return Promise.resolve(has(repository, digest) ? blobs.get(digest)?.length : undefined);
    },
    getBlob(repository, digest): Promise<BlobReader> {
      calls.push(`GET blob ${repository} ${digest}`);
      const bytes = blobs.get(digest);
      if (bytes === undefined || !has(repository, digest))
        return Promise.reject(new Error(`blob unknown ${digest}`));
      return Promise.resolve({ body: chunked(bytes), size: bytes.length });
    },
    mountBlob(repository, digest, from) {
      calls.push(`MOUNT blob ${repository} ${digest} from ${from}`);
      if (options.mount === false || !has(from, digest)) return Promise.resolve(false);
      link(repository, digest);
      return Promise.resolve(true);
    },
    async pushBlob(repository, digest, _size, body) {
      calls.push(`PUT blob ${repository} ${digest}`);
      await receive(repository, digest, body);
    },
    async pushBlobChunked(repository, digest, _size, body) {
      calls.push(`PATCH blob ${repository} ${digest}`);
      await receive(repository, digest, body);
    },
    waitToRestartUpload: createUploadRestartWait(),
  };
  return registry;
}

/** A body in 1 KiB chunks, so that the verifier's hold-back is exercised across several chunks. */
function chunked(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 1024) parts.push(bytes.subarray(i, i + 1024));
  return Readable.from(parts, { objectMode: false });
}

/** Seeds a blob of `size` pseudo-random bytes and returns its descriptor. */
export function seedBlob(reg: MemoryRegistry, repository: string, size: number, seed: number) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  const digest = digestOf(bytes);
  reg.blobs.set(digest, bytes);
  const set = reg.links.get(repository) ?? new Set<string>();
  set.add(digest);
  reg.links.set(repository, set);
  return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size };
}

export function seedManifest(
  reg: MemoryRegistry,
  repository: string,
  tag: string | undefined,
  mediaType: string,
  body: object,
) {
  const bytes = Buffer.from(JSON.stringify(body));
  const digest = digestOf(bytes);
  const stored = { mediaType, bytes, digest };
  reg.manifests.set(`${repository}@${digest}`, stored);
  if (tag) reg.manifests.set(`${repository}:${tag}`, stored);
  return { mediaType, digest, size: bytes.length };
}

export function seedImage(
  reg: MemoryRegistry,
  repository: string,
  tag: string | undefined,
  layerSizes: number[],
  seed = 0,
) {
  const config = {
    ...seedBlob(reg, repository, 100 + seed, seed * 1000),
    mediaType: 'application/vnd.oci.image.config.v1+json',
  };
  const layers = layerSizes.map((size, i) => seedBlob(reg, repository, size, seed * 1000 + i + 1));
  const desc = seedManifest(reg, repository, tag, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers,
  });
  return { desc, config, layers };
}

export function seedIndex(
  reg: MemoryRegistry,
  repository: string,
  tag: string,
  platforms: string[],
  layerSizes: number[],
) {
  const shared = seedBlob(reg, repository, 4096, 99);
  const images = platforms.map((platform, i) => {
    const config = {
      ...seedBlob(reg, repository, 100 + i, 500 + i),
      mediaType: 'application/vnd.oci.image.config.v1+json',
    };
    const layers = [
      shared,
      ...layerSizes.map((size, j) => seedBlob(reg, repository, size, 600 + i * 10 + j)),
    ];
    const desc = seedManifest(reg, repository, undefined, OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers,
    });
    const [os, architecture] = platform.split('/');
    return { ...desc, platform: { os, architecture } };
  });
  const desc = seedManifest(reg, repository, tag, OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images,
  });
  return { desc, images, shared };
}
