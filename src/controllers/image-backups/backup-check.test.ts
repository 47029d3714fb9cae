import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  memoryRegistry,
  seedImage,
  seedIndex,
  type MemoryRegistry,
} from '../../registry/copy/memory-registry.test-support.ts';
import type { RegistryClient } from '../../registry/index.ts';
import { findMissing } from './backup-check.ts';

const REPO = 'lifeboat/src.test/app';
const TARGET = `backup.test/${REPO}:v1`;

/** The backup registry as a recheck sees it: the memory registry behind the push login. */
function accessTo(reg: MemoryRegistry) {
  return { withPushClient: <T>(_: unknown, fn: (c: RegistryClient) => Promise<T>) => fn(reg) };
}

/** Removes a blob from a repository, as a cleanup rule or `DELETE /v2/…/blobs/…` does. */
function dropBlob(reg: MemoryRegistry, digest: string): void {
  reg.links.get(REPO)?.delete(digest);
}

const signal = new AbortController().signal;

describe('findMissing (the recheck of a Ready backup, in the backup registry only)', () => {
  it('finds nothing missing in a complete image, and reports a deleted layer or config', async () => {
    const reg = memoryRegistry('backup.test');
    const image = seedImage(reg, REPO, 'v1', [2048, 1024]);
    assert.deepEqual(await findMissing(accessTo(reg), TARGET, image.desc.digest, signal), []);
    dropBlob(reg, image.layers[1]!.digest);
    dropBlob(reg, image.config.digest);
    assert.deepEqual((await findMissing(accessTo(reg), TARGET, image.desc.digest, signal)).sort(), [
      `backup.test/${REPO}@${image.config.digest} (blob)`,
      `backup.test/${REPO}@${image.layers[1]!.digest} (blob)`,
    ]);
  });

  it('walks an index: a missing child manifest, and a layer of another child; a shared layer is asked once', async () => {
    const reg = memoryRegistry('backup.test');
    const index = seedIndex(reg, REPO, 'v1', ['linux/amd64', 'linux/arm64'], [512]);
    const digest = index.desc.digest;
    assert.deepEqual(await findMissing(accessTo(reg), TARGET, digest, signal), []);
    const shared = reg.calls.filter((c) => c.startsWith('HEAD blob'));
    assert.equal(shared.length, new Set(shared).size, 'each blob HEADed once');
    const [amd, arm] = index.images;
    reg.manifests.delete(`${REPO}@${amd!.digest}`);
    const armManifest = JSON.parse(reg.manifests.get(`${REPO}@${arm!.digest}`)!.bytes.toString()) as {
      layers: { digest: string }[];
    };
    const armLayer = armManifest.layers.at(-1)!.digest;
    dropBlob(reg, armLayer);
    assert.deepEqual((await findMissing(accessTo(reg), TARGET, digest, signal)).sort(), [
      `backup.test/${REPO}@${amd!.digest}`,
      `backup.test/${REPO}@${armLayer} (blob)`,
    ]);
  });

  it('reports the top manifest itself when it is gone', async () => {
    const reg = memoryRegistry('backup.test');
    const image = seedImage(reg, REPO, 'v1', [100]);
    reg.manifests.delete(`${REPO}@${image.desc.digest}`);
    assert.deepEqual(await findMissing(accessTo(reg), TARGET, image.desc.digest, signal), [
      `backup.test/${REPO}@${image.desc.digest}`,
    ]);
  });
});
