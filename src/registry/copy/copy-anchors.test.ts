// copyImage with `anchor`: every manifest it writes or finds in the target ends with its anchor tag,
// on the in-memory registry, which records every call (so "no blob traffic" is checked, not assumed).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { RegistryClient } from '../model/types.ts';
import { OCI_MANIFEST } from '../manifest/index.ts';
import { anchorTag } from './anchor-tag.ts';
import { copyImage } from './copy-image.ts';
import { CopyError } from './errors.ts';
import { memoryRegistry, seedImage, seedIndex, type MemoryRegistry } from './memory-registry.test-support.ts';

const loc = (client: RegistryClient, repository: string, reference: string) => ({
  client,
  repository,
  reference,
});

const anchor = (digest: string): string => {
  const tag = anchorTag(digest);
  assert.ok(tag !== undefined);
  return tag;
};

/** The digest the target's `tag` names, if any. */
const tagged = (reg: MemoryRegistry, repository: string, tag: string): string | undefined =>
  reg.manifests.get(`${repository}:${tag}`)?.digest;

const blobCalls = (reg: MemoryRegistry): string[] => reg.calls.filter((c) => / blob /.test(c));
const manifestPuts = (reg: MemoryRegistry): string[] => reg.calls.filter((c) => c.startsWith('PUT manifest'));

describe('copyImage with anchors', () => {
  it('a tagged image: pushed under its anchor, then tagged; one more PUT than without', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [3000]);
    const result = await copyImage({
      source: loc(src, 'app', 'v1'),
      target: loc(dst, 'backup/app', 'v1'),
      anchor: true,
    });
    assert.equal(result.anchorsWritten, 1);
    assert.deepEqual(result.unanchored, []);
    assert.deepEqual(dst.pushes, [`backup/app@${anchor(desc.digest)}`, 'backup/app@v1']);
    assert.equal(tagged(dst, 'backup/app', anchor(desc.digest)), desc.digest);
    assert.equal(tagged(dst, 'backup/app', 'v1'), desc.digest);
  });

  it('writes no anchor unless asked', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [3000]);
    const result = await copyImage({ source: loc(src, 'app', 'v1'), target: loc(dst, 'backup/app', 'v1') });
    assert.equal(result.anchorsWritten, 0);
    assert.deepEqual(dst.pushes, ['backup/app@v1']);
    assert.equal(tagged(dst, 'backup/app', anchor(desc.digest)), undefined);
  });

  it('a digest-only source: pushed under its anchor, so it is never untagged', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', undefined, [3000]);
    const result = await copyImage({
      source: loc(src, 'app', desc.digest),
      target: loc(dst, 'backup/app', desc.digest),
      anchor: true,
    });
    assert.equal(result.targetDigest, desc.digest);
    assert.equal(result.anchorsWritten, 1);
    assert.deepEqual(dst.pushes, [`backup/app@${anchor(desc.digest)}`]);
    assert.equal(tagged(dst, 'backup/app', anchor(desc.digest)), desc.digest);
    assert.equal(dst.manifests.get(`backup/app@${desc.digest}`)?.digest, desc.digest);
  });

  it('a 2-platform index: the index and both children anchored, children first, no push by digest', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc, images } = seedIndex(src, 'multi', 'v1', ['linux/amd64', 'linux/arm64'], [2048]);
    const result = await copyImage({
      source: loc(src, 'multi', 'v1'),
      target: loc(dst, 'backup/multi', 'v1'),
      anchor: true,
    });
    assert.equal(result.anchorsWritten, 3);
    for (const digest of [desc.digest, ...images.map((i) => i.digest)])
      assert.equal(tagged(dst, 'backup/multi', anchor(digest)), digest, digest);
    assert.deepEqual(
      new Set(dst.pushes.slice(0, 2)),
      new Set(images.map((i) => `backup/multi@${anchor(i.digest)}`)),
    );
    assert.deepEqual(dst.pushes.slice(2), [`backup/multi@${anchor(desc.digest)}`, 'backup/multi@v1']);
  });

  it('a present image costs one more HEAD (its anchor) and writes nothing', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [1000]);
    const options = { source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1'), anchor: true };
    await copyImage(options);
    src.calls.length = 0;
    dst.calls.length = 0;
    const again = await copyImage(options);
    assert.equal(again.skipped, true);
    assert.equal(again.anchorsWritten, 0);
    assert.deepEqual(src.calls, ['HEAD manifest app v1']);
    assert.deepEqual(dst.calls, ['HEAD manifest app v1', `HEAD manifest app ${anchor(desc.digest)}`]);
  });

  it('a present image whose anchor is missing: repaired with one tag PUT, no blob traffic', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [1000, 2000]);
    const options = { source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1'), anchor: true };
    await copyImage(options);
    dst.manifests.delete(`app:${anchor(desc.digest)}`);
    src.calls.length = 0;
    dst.calls.length = 0;
    dst.pushes.length = 0;
    const repaired = await copyImage(options);
    assert.equal(repaired.skipped, true);
    assert.equal(repaired.anchorsWritten, 1);
    assert.deepEqual(dst.pushes, [`app@${anchor(desc.digest)}`]);
    assert.deepEqual(manifestPuts(dst), [`PUT manifest app ${anchor(desc.digest)}`]);
    assert.deepEqual(blobCalls(dst), []);
    assert.deepEqual(src.calls, ['HEAD manifest app v1'], 'the source is not read: it may be gone');
    assert.equal(tagged(dst, 'app', anchor(desc.digest)), desc.digest);
  });

  it('a present index copied without anchors: the next anchored copy anchors it and both children', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc, images } = seedIndex(src, 'multi', 'v1', ['linux/amd64', 'linux/arm64'], [2048]);
    const options = { source: loc(src, 'multi', 'v1'), target: loc(dst, 'multi', 'v1') };
    await copyImage(options);
    src.calls.length = 0;
    dst.calls.length = 0;
    dst.pushes.length = 0;
    const repaired = await copyImage({ ...options, anchor: true });
    assert.equal(repaired.skipped, true);
    assert.equal(repaired.anchorsWritten, 3);
    assert.deepEqual(blobCalls(dst), []);
    assert.deepEqual(src.calls, ['HEAD manifest multi v1']);
    assert.equal(manifestPuts(dst).length, 3);
    // Each child's anchor before the index's.
    assert.equal(dst.pushes.at(-1), `multi@${anchor(desc.digest)}`);
    for (const digest of [desc.digest, ...images.map((i) => i.digest)])
      assert.equal(tagged(dst, 'multi', anchor(digest)), digest);
  });

  it('a present index with one child anchor missing: that anchor alone is written', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { images } = seedIndex(src, 'multi', 'v1', ['linux/amd64', 'linux/arm64'], [2048]);
    const options = { source: loc(src, 'multi', 'v1'), target: loc(dst, 'multi', 'v1'), anchor: true };
    await copyImage(options);
    const child = images[1]?.digest ?? '';
    dst.manifests.delete(`multi:${anchor(child)}`);
    dst.calls.length = 0;
    const repaired = await copyImage(options);
    assert.equal(repaired.anchorsWritten, 1);
    assert.deepEqual(manifestPuts(dst), [`PUT manifest multi ${anchor(child)}`]);
    assert.deepEqual(blobCalls(dst), []);
    assert.equal(tagged(dst, 'multi', anchor(child)), child);
  });

  it('a child the target holds from an unanchored copy gets its anchor when a new index is copied', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { images } = seedIndex(src, 'multi', 'v1', ['linux/amd64', 'linux/arm64'], [2048]);
    const amd64 = images[0]?.digest ?? '';
    // The amd64 image alone, by digest, without anchors; then the whole index with them.
    await copyImage({ source: loc(src, 'multi', amd64), target: loc(dst, 'multi', amd64) });
    dst.calls.length = 0;
    const result = await copyImage({
      source: loc(src, 'multi', 'v1'),
      target: loc(dst, 'multi', 'v1'),
      anchor: true,
    });
    assert.equal(result.anchorsWritten, 3);
    for (const image of images) assert.equal(tagged(dst, 'multi', anchor(image.digest)), image.digest);
    // The present child's blobs are not touched: only the arm64 image's are.
    const amd64Blobs = JSON.parse(dst.manifests.get(`multi@${amd64}`)?.bytes.toString() ?? '{}') as {
      config: { digest: string };
    };
    assert.equal(
      blobCalls(dst).some((c) => c.includes(amd64Blobs.config.digest)),
      false,
    );
  });

  it('an anchor tag moved by hand to another manifest is put back on its own digest', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [1000]);
    const other = seedImage(src, 'app', 'v2', [1000], 7).desc;
    const options = { source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1'), anchor: true };
    await copyImage(options);
    await copyImage({ ...options, source: loc(src, 'app', 'v2'), target: loc(dst, 'app', 'v2') });
    const moved = dst.manifests.get(`app@${other.digest}`);
    assert.ok(moved);
    dst.manifests.set(`app:${anchor(desc.digest)}`, moved);
    const repaired = await copyImage(options);
    assert.equal(repaired.anchorsWritten, 1);
    assert.equal(tagged(dst, 'app', anchor(desc.digest)), desc.digest);
    assert.equal(tagged(dst, 'app', anchor(other.digest)), other.digest, 'the other anchor is untouched');
  });

  it('a failed anchor PUT fails the copy with a CopyError naming it', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', 'v1', [1000]);
    const options = { source: loc(src, 'app', 'v1'), target: loc(dst, 'app', 'v1'), anchor: true };
    await copyImage(options);
    dst.manifests.delete(`app:${anchor(desc.digest)}`);
    const refusing = { ...dst, putManifest: () => Promise.reject(new Error('DENIED tag immutable')) };
    await assert.rejects(copyImage({ ...options, target: loc(refusing, 'app', 'v1') }), (error: unknown) => {
      assert.ok(error instanceof CopyError);
      assert.match(error.message, /DENIED tag immutable/);
      return true;
    });
  });

  it('a digest that is not sha256 has no anchor: skipped, logged at debug, listed in unanchored', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const { desc } = seedImage(src, 'app', undefined, [1000]);
    const stored = src.manifests.get(`app@${desc.digest}`);
    assert.ok(stored);
    const sha512 = `sha512:${createHash('sha512').update(stored.bytes).digest('hex')}`;
    src.manifests.set(`app@${sha512}`, { ...stored, digest: sha512 });
    const lines: { msg: string; digest?: string }[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    const result = await copyImage({
      source: loc(src, 'app', sha512),
      target: loc(dst, 'app', 'v1'),
      anchor: true,
      logger,
    });
    assert.equal(result.targetDigest, sha512);
    assert.equal(result.anchorsWritten, 0);
    assert.deepEqual(result.unanchored, [sha512]);
    assert.deepEqual(dst.pushes, ['app@v1'], 'copied, under its tag only');
    assert.equal(stored.mediaType, OCI_MANIFEST);
    assert.ok(
      lines.some((l) => l.digest === sha512 && /not sha256/.test(l.msg)),
      'the skip is logged at debug',
    );
    assert.equal(
      [...dst.manifests.keys()].some((k) => k.includes('lifeboat-')),
      false,
    );
  });
});
