import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { BlobReader, Manifest, ManifestHead, RegistryClient } from '../types.ts';
import { copyImage, type CopyImageOptions } from './copy-image.ts';
import { BlobMismatchError, CopyError } from './errors.ts';
import type { CopyProgress } from './progress.ts';
import { createCopyScheduler } from './scheduler.ts';

// ---- An in-memory registry double: enough of a registry to check what the engine asks and stores.

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface StoredManifest {
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly digest: string;
}

interface MemoryRegistry extends RegistryClient {
  readonly calls: string[];
  readonly blobs: Map<string, Buffer>;
  /** repository → digests it links (like distribution's per-repository links). */
  readonly links: Map<string, Set<string>>;
  readonly manifests: Map<string, StoredManifest>;
  /** Order in which manifests were pushed (`repository@reference`). */
  readonly pushes: string[];
  uploadedBytes: number;
}

function memoryRegistry(host: string, options: { readonly mount?: boolean } = {}): MemoryRegistry {
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
      const digest = sha(manifest.bytes);
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
function seedBlob(reg: MemoryRegistry, repository: string, size: number, seed: number) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  const digest = sha(bytes);
  reg.blobs.set(digest, bytes);
  const set = reg.links.get(repository) ?? new Set<string>();
  set.add(digest);
  reg.links.set(repository, set);
  return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size };
}

function seedManifest(
  reg: MemoryRegistry,
  repository: string,
  tag: string | undefined,
  mediaType: string,
  body: object,
) {
  const bytes = Buffer.from(JSON.stringify(body));
  const digest = sha(bytes);
  const stored = { mediaType, bytes, digest };
  reg.manifests.set(`${repository}@${digest}`, stored);
  if (tag) reg.manifests.set(`${repository}:${tag}`, stored);
  return { mediaType, digest, size: bytes.length };
}

function seedImage(
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

function seedIndex(
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

const loc = (client: RegistryClient, repository: string, reference: string) => ({
  client,
  repository,
  reference,
});

async function copy(options: CopyImageOptions) {
  return copyImage(options);
}

// ---- Tests

describe('copyImage', () => {
  it('copies a single image: blobs first, manifest last, under the target tag', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc, layers, config } = seedImage(src, 'app', 'v1', [3000, 5000]);
    const result = await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'backup/app', 'v1') });
    assert.equal(result.sourceDigest, desc.digest);
    assert.equal(result.targetDigest, desc.digest);
    assert.equal(result.skipped, false);
    assert.equal(result.blobsTotal, 3);
    assert.equal(result.blobsCopied, 3);
    assert.equal(result.bytesTotal, 3000 + 5000 + config.size);
    assert.equal(result.bytesCopied, result.bytesTotal);
    for (const blob of [config, ...layers])
      assert.deepEqual(dst.blobs.get(blob.digest), src.blobs.get(blob.digest));
    assert.equal(dst.manifests.get('backup/app:v1')?.digest, desc.digest);
    assert.deepEqual(dst.pushes, ['backup/app@v1']);
  });

  it('skips a present image with one HEAD on each side, and none on a digest-pinned source', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [1000]);
    await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1') });
    src.calls.length = 0;
    dst.calls.length = 0;
    const byTag = await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1') });
    assert.equal(byTag.skipped, true);
    assert.deepEqual(src.calls, ['HEAD manifest app v1']);
    assert.deepEqual(dst.calls, ['HEAD manifest app v1']);
    src.calls.length = 0;
    dst.calls.length = 0;
    const byDigest = await copy({ source: loc(src, 'app', desc.digest), target: loc(dst, 'app', 'v1') });
    assert.equal(byDigest.skipped, true);
    assert.equal(byDigest.targetDigest, desc.digest);
    assert.deepEqual(src.calls, []);
    assert.deepEqual(dst.calls, ['HEAD manifest app v1']);
  });

  it('starts the largest blobs first', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    seedImage(src, 'app', 'v1', [2000, 9000, 500, 7000]);
    await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1'), jobs: 1 });
    const order = dst.calls
      .filter((c) => c.startsWith('PUT blob'))
      .map((c) => src.blobs.get(c.split(' ')[3] ?? '')?.length);
    assert.deepEqual(order, [9000, 7000, 2000, 500, 100]);
  });

  it('copies an index: each blob once, child manifests by digest before the index, the index last', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc, images, shared } = seedIndex(
      src,
      'multi',
      'v2',
      ['linux/amd64', 'linux/arm64', 'linux/s390x'],
      [2048],
    );
    const result = await copy({ source: loc(src, 'multi', 'v2'), target: loc(dst, 'multi', 'v2') });
    assert.equal(result.targetDigest, desc.digest);
    assert.deepEqual(result.platforms, ['linux/amd64', 'linux/arm64', 'linux/s390x']);
    const puts = dst.calls.filter((c) => c.startsWith('PUT blob'));
    assert.equal(puts.length, new Set(puts).size, 'no digest uploaded twice');
    assert.equal(puts.filter((c) => c.includes(shared.digest)).length, 1);
    assert.equal(result.blobsTotal, 1 + 3 * 2);
    assert.equal(dst.pushes.at(-1), 'multi@v2');
    assert.deepEqual(new Set(dst.pushes.slice(0, -1)), new Set(images.map((i) => `multi@${i.digest}`)));
  });

  it('with platforms, writes a filtered index and copies only the chosen platforms', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc, images } = seedIndex(
      src,
      'multi',
      'v2',
      ['linux/amd64', 'linux/arm64', 'linux/s390x'],
      [2048],
    );
    const result = await copy({
      source: loc(src, 'multi', 'v2'),
      target: loc(dst, 'multi', 'v2'),
      platforms: ['linux/arm64'],
    });
    assert.equal(result.sourceDigest, desc.digest);
    assert.notEqual(result.targetDigest, desc.digest);
    assert.deepEqual(result.platforms, ['linux/arm64']);
    const stored = dst.manifests.get('multi:v2');
    assert.equal(stored?.digest, result.targetDigest);
    const body = JSON.parse(stored.bytes.toString()) as { manifests: { digest: string }[] };
    assert.deepEqual(
      body.manifests.map((m) => m.digest),
      [images[1]?.digest],
    );
    assert.equal(dst.manifests.has(`multi@${images[0]?.digest}`), false);
    // Copying again finds the filtered index present: one GET of the source, one HEAD of the target.
    src.calls.length = 0;
    dst.calls.length = 0;
    const again = await copy({
      source: loc(src, 'multi', 'v2'),
      target: loc(dst, 'multi', 'v2'),
      platforms: ['linux/arm64'],
    });
    assert.equal(again.skipped, true);
    assert.deepEqual(src.calls, ['GET manifest multi v2']);
    assert.deepEqual(dst.calls, ['HEAD manifest multi v2']);
  });

  it('does not read child manifests the target already holds', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { images } = seedIndex(src, 'multi', 'v2', ['linux/amd64', 'linux/arm64'], [1024]);
    await copy({
      source: loc(src, 'multi', images[0]?.digest ?? ''),
      target: loc(dst, 'multi', images[0]?.digest ?? ''),
    });
    src.calls.length = 0;
    await copy({ source: loc(src, 'multi', 'v2'), target: loc(dst, 'multi', 'v2') });
    assert.equal(src.calls.includes(`GET manifest multi ${images[0]?.digest}`), false);
    assert.equal(src.calls.includes(`GET manifest multi ${images[1]?.digest}`), true);
  });

  it('mounts a blob from a repository named in mountSources instead of uploading it', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers } = seedImage(src, 'app', 'v1', [8000]);
    const layer = layers[0];
    assert.ok(layer);
    const backup = seedBlob(dst, 'earlier/backup', 8000, 1);
    assert.equal(backup.digest, layer.digest);
    const result = await copy({
      source: loc(src, 'app', 'v1'),
      target: loc(dst, 'app', 'v1'),
      mountSources: (digest) => (digest === layer.digest ? ['earlier/backup'] : []),
    });
    assert.equal(result.blobsMounted, 1);
    assert.equal(result.blobsCopied, 1);
    assert.ok(dst.calls.includes(`MOUNT blob app ${layer.digest} from earlier/backup`));
    assert.equal(dst.calls.includes(`PUT blob app ${layer.digest}`), false);
  });

  it('uploads when a mount is refused', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test', { mount: false });
    const { layers } = seedImage(src, 'app', 'v1', [800]);
    const digest = layers[0]?.digest ?? '';
    seedBlob(dst, 'other', 800, 1);
    const result = await copy({
      source: loc(src, 'app', 'v1'),
      target: loc(dst, 'app', 'v1'),
      mountSources: () => ['other'],
    });
    assert.equal(result.blobsMounted, 0);
    assert.ok(dst.calls.includes(`PUT blob app ${digest}`));
  });

  it('shares an in-flight upload between concurrent copies and mounts from where it landed', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers } = seedImage(src, 'app', 'v1', [50_000]);
    const scheduler = createCopyScheduler();
    const [a, b] = await Promise.all([
      copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'one', 'v1'), scheduler }),
      copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'two', 'v1'), scheduler }),
    ]);
    const layer = layers[0]?.digest ?? '';
    const uploads = dst.calls.filter(
      (c) => (c.startsWith('PUT blob') || c.startsWith('PATCH blob')) && c.endsWith(layer),
    );
    assert.equal(uploads.length, 1, 'the layer was uploaded once');
    assert.equal((a?.blobsCopied ?? 0) + (b?.blobsCopied ?? 0), 2 + 0);
    assert.equal((a?.blobsMounted ?? 0) + (b?.blobsMounted ?? 0), 2);
  });

  it('puts a shared blob in every target repository when many copies contend for it', async () => {
    // Enough copies that some wait behind the shared layer more often than the engine waits before
    // doing the work itself: each must still end with the layer in its own repository.
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers, config } = seedImage(src, 'app', 'v1', [50_000]);
    const scheduler = createCopyScheduler();
    const targets = Array.from({ length: 12 }, (_, i) => `team-${i}`);
    const results = await Promise.all(
      targets.map((repository) =>
        copy({ source: loc(src, 'app', 'v1'), target: loc(dst, repository, 'v1'), scheduler }),
      ),
    );
    for (const repository of targets) {
      for (const blob of [config, ...layers])
        assert.ok(dst.links.get(repository)?.has(blob.digest), `${repository} holds ${blob.digest}`);
      assert.ok(dst.manifests.has(`${repository}:v1`), `${repository}:v1 was pushed`);
    }
    const layer = layers[0]?.digest ?? '';
    const uploads = dst.calls.filter(
      (c) => (c.startsWith('PUT blob') || c.startsWith('PATCH blob')) && c.endsWith(layer),
    );
    assert.equal(uploads.length, 1, 'the layer was uploaded once and mounted everywhere else');
    assert.equal(
      results.reduce((sum, r) => sum + r.blobsCopied + r.blobsMounted + r.blobsSkipped, 0),
      targets.length * 2,
    );
  });

  it('places a shared blob itself when the copy it waited for fails', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers } = seedImage(src, 'app', 'v1', [50_000]);
    const layer = layers[0]?.digest ?? '';
    let failLayerGet: (error: Error) => void = () => {};
    let layerGetStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (layerGetStarted = resolve));
    // The first copy's source GET of the layer hangs until the test fails it.
    const failing: RegistryClient = {
      ...src,
      getBlob(repository, digest, options) {
        if (digest !== layer) return src.getBlob(repository, digest, options);
        layerGetStarted();
        return new Promise((_resolve, reject) => (failLayerGet = reject));
      },
    };
    const scheduler = createCopyScheduler();
    const first = copy({ source: loc(failing, 'app', 'v1'), target: loc(dst, 'one', 'v1'), scheduler });
    first.catch(() => {});
    await started;
    const second = copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'two', 'v1'), scheduler });
    // Let the second copy reach the layer and wait behind the first.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    failLayerGet(new Error('source went away'));
    await assert.rejects(first, /source went away/);
    const result = await second;
    assert.ok(dst.links.get('two')?.has(layer), 'the second copy put the layer in its own repository');
    assert.equal(result.bytesCopied >= 50_000, true, 'the second copy uploaded the layer itself');
  });

  it('remembers where it copied a digest and mounts from there in a later copy', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    seedImage(src, 'app', 'v1', [3000]);
    const scheduler = createCopyScheduler();
    await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'first', 'v1'), scheduler });
    const second = await copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'second', 'v1'), scheduler });
    assert.equal(second.blobsMounted, 2);
    assert.equal(second.bytesCopied, 0);
  });

  it('fails on a blob whose bytes are wrong, names both digests, and stores nothing under the digest', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers } = seedImage(src, 'app', 'v1', [5000]);
    const digest = layers[0]?.digest ?? '';
    const wrong = Buffer.from(src.blobs.get(digest) ?? Buffer.alloc(0));
    wrong[4000] = (wrong[4000] ?? 0) ^ 0xff;
    src.blobs.set(digest, wrong);
    await assert.rejects(
      copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1') }),
      (e: unknown) =>
        e instanceof CopyError &&
        e.cause instanceof BlobMismatchError &&
        e.cause.code === 'BLOB_DIGEST_MISMATCH' &&
        e.message.includes(digest) &&
        e.message.includes(sha(wrong)),
    );
    assert.equal(dst.blobs.has(digest), false);
    assert.equal(
      dst.calls.filter((c) => c.startsWith('PATCH blob')).length,
      0,
      'wrong content is not retried',
    );
    assert.equal(dst.manifests.size, 0, 'no manifest pushed');
  });

  it('falls back to a chunked upload with a fresh source body when the monolithic upload fails', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { layers } = seedImage(src, 'app', 'v1', [4000]);
    const digest = layers[0]?.digest ?? '';
    let failed = 0;
    const flaky: RegistryClient = {
      ...dst,
      async pushBlob(repository, d, size, body, options) {
        if (d === digest && failed++ === 0) {
          body.resume();
          throw Object.assign(new Error('connection reset'), { temporary: true });
        }
        return dst.pushBlob(repository, d, size, body, options);
      },
    };
    const result = await copy({ source: loc(src, 'app', 'v1'), target: loc(flaky, 'app', 'v1') });
    assert.equal(result.blobsCopied, 2);
    assert.ok(dst.calls.includes(`PATCH blob app ${digest}`));
    assert.equal(src.calls.filter((c) => c === `GET blob app ${digest}`).length, 2);
    assert.deepEqual(dst.blobs.get(digest), src.blobs.get(digest));
  });

  it('refuses a target digest that is not the digest being copied', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    seedImage(src, 'app', 'v1', [10]);
    const other = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      copy({ source: loc(src, 'app', 'v1'), target: loc(dst, 'app', other) }),
      (e: unknown) => e instanceof CopyError && e.code === 'COPY_TARGET_DIGEST',
    );
  });

  it('refuses a schema 1 source, naming the type', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const schema1 = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
    seedManifest(src, 'old', 'v1', schema1, { schemaVersion: 1, name: 'old', tag: 'v1', fsLayers: [] });
    await assert.rejects(
      copy({ source: loc(src, 'old', 'v1'), target: loc(dst, 'old', 'v1') }),
      (e: unknown) => e instanceof CopyError && e.message.includes(schema1),
    );
    assert.equal(dst.manifests.size, 0);
  });

  it('reports that a missing source does not exist', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    await assert.rejects(
      copy({ source: loc(src, 'nothing', 'v1'), target: loc(dst, 'nothing', 'v1') }),
      (e: unknown) => e instanceof CopyError && e.code === 'COPY_NOT_FOUND',
    );
  });

  it('reports throttled progress and a final event with everything done', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    seedImage(src, 'app', 'v1', [10_000, 20_000]);
    const events: CopyProgress[] = [];
    let clock = 0;
    const result = await copy({
      source: loc(src, 'app', 'v1'),
      target: loc(dst, 'app', 'v1'),
      onProgress: (p) => events.push(p),
      now: () => (clock += 30),
    });
    const last = events.at(-1);
    assert.deepEqual(last, {
      bytesDone: result.bytesTotal,
      bytesTotal: result.bytesTotal,
      blobsDone: 3,
      blobsTotal: 3,
    });
    // ~30 chunks flow; with the clock moving 30 ms per reading and a 100 ms interval, about one in 4 is reported.
    assert.ok(events.length > 2 && events.length < 20, `got ${events.length} events`);
    for (let i = 1; i < events.length; i++)
      assert.ok((events[i]?.bytesDone ?? 0) >= (events[i - 1]?.bytesDone ?? 0));
  });

  it('stops in-flight transfers when the signal aborts: the source body is destroyed, no manifest pushed', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    seedImage(src, 'app', 'v1', [5000]);
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    const bodies: Readable[] = [];
    const recording: RegistryClient = {
      ...src,
      async getBlob(repository, digest, options) {
        const reader = await src.getBlob(repository, digest, options);
        bodies.push(reader.body);
        return reader;
      },
    };
    // An upload that never ends by itself: only the abort can stop it.
    const stuck: RegistryClient = {
      ...dst,
      pushBlob(_repository, _digest, _size, _body, options) {
        return new Promise((_resolve, reject) => {
          const stop = (): void => reject(options?.signal?.reason as Error);
          if (options?.signal?.aborted) return stop();
          options?.signal?.addEventListener('abort', stop);
          controller.abort(reason);
        });
      },
    };
    await assert.rejects(
      copy({
        source: loc(recording, 'app', 'v1'),
        target: loc(stuck, 'app', 'v1'),
        signal: controller.signal,
      }),
      (e) => e === reason,
    );
    assert.ok(bodies.length > 0);
    for (const body of bodies)
      if (!body.destroyed) await new Promise((resolve) => body.once('close', resolve));
    assert.ok(bodies.every((b) => b.destroyed));
    assert.equal(dst.manifests.size, 0);
  });

  it('refuses both a scheduler and jobs', async () => {
    const reg = memoryRegistry('x.test');
    await assert.rejects(
      copy({
        source: loc(reg, 'a', 'v1'),
        target: loc(reg, 'b', 'v1'),
        jobs: 2,
        scheduler: createCopyScheduler(),
      }),
      (e: unknown) => e instanceof CopyError && e.code === 'COPY_INVALID_ARGUMENT',
    );
  });
});
