// pushPlan on the in-memory registry, which refuses a manifest whose children are not in the
// repository yet (as distribution does): the plan's order is what makes the pushes succeed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { memoryRegistry, seedIndex, type MemoryRegistry } from './memory-registry.test-support.ts';
import type { ManifestNode } from './plan.ts';
import { planCopy } from './plan.ts';
import { createProgressTracker } from './progress.ts';
import { pushPlan } from './push.ts';
import { createCopyScheduler } from './scheduler.ts';

/** The seeded index as the tree a copy reads: the index over its images, each over its blobs. */
function seededTree(src: MemoryRegistry): ManifestNode {
  const { desc, images } = seedIndex(src, 'multi', 'v1', ['linux/amd64', 'linux/arm64'], [2048]);
  const node = (digest: string, children: ManifestNode[]): ManifestNode => {
    const stored = src.manifests.get(`multi@${digest}`);
    assert.ok(stored);
    const body = JSON.parse(stored.bytes.toString()) as {
      config?: ManifestNode['blobs'][number];
      layers?: ManifestNode['blobs'];
    };
    const blobs = body.config === undefined ? [] : [body.config, ...(body.layers ?? [])];
    return { digest, mediaType: stored.mediaType, bytes: stored.bytes, blobs, children };
  };
  return node(
    desc.digest,
    images.map((image) => node(image.digest, [])),
  );
}

function context(src: MemoryRegistry, dst: MemoryRegistry) {
  return {
    source: { client: src, repository: 'multi' },
    target: { client: dst, repository: 'copy' },
    scheduler: createCopyScheduler(),
    progress: createProgressTracker({ now: () => 0, intervalMs: 1000 }),
    mountSources: () => [],
    chunkSize: undefined,
    logger: pino({ level: 'silent' }),
  };
}

describe('pushPlan', () => {
  it('pushes every manifest once its blobs and children are in, the top last under its reference', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const tree = seededTree(src);
    const counts = await pushPlan(context(src, dst), planCopy(tree, 'v1'), new AbortController());
    // The children go concurrently, each as soon as its own blobs are in.
    assert.equal(dst.pushes.at(-1), 'copy@v1');
    assert.deepEqual(new Set(dst.pushes.slice(0, -1)), new Set(tree.children.map((c) => `copy@${c.digest}`)));
    assert.equal(counts.blobsTotal, 1 + 2 * 2);
    assert.equal(counts.blobsCopied, counts.blobsTotal);
    assert.equal(dst.manifests.get('copy:v1')?.digest, tree.digest);
  });

  it('fails a plan out of order instead of pushing a manifest before what it names', async () => {
    const src = memoryRegistry('src.test');
    const dst = memoryRegistry('dst.test');
    const tree = seededTree(src);
    const plan = planCopy(tree, 'v1');
    const reversed = { ...plan, pushes: [...plan.pushes].reverse() };
    await assert.rejects(pushPlan(context(src, dst), reversed, new AbortController()), /out of order/);
    assert.equal(dst.manifests.has('copy:v1'), false, 'the index was not pushed');
  });
});
