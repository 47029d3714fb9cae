import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { digestOf } from '../../reference/index.ts';
import type { RegistryClient } from '../model/types.ts';
import { copyImage } from './copy-image.ts';
import { BlobMismatchError, CopyError } from './errors.ts';
import {
  memoryRegistry,
  seedBlob,
  seedImage,
  seedIndex,
  seedManifest,
} from './memory-registry.test-support.ts';
import type { CopyImageOptions } from './options.ts';
import type { CopyProgress } from './progress.ts';
import { createCopyScheduler } from './scheduler.ts';

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
        e.message.includes(digestOf(wrong)),
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
