// Many copies at once through ONE scheduler, on a real registry (distribution): images that share
// their base layers go to different target repositories. The scheduler single-flights a digest per
// registry, so most copies wait behind another copy of the same layer — and each must still end with
// the layer in its OWN repository (a waiter that took another copy's result used to push a manifest
// whose layers its repository did not hold: MANIFEST_BLOB_UNKNOWN). crane grades every target.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushImage, runTool, startRegistry, type LocalRegistry } from '../../../src/devenv/index.ts';
import { copyImage, createCopyScheduler } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';

const IMAGES = 20;

describe('concurrent copies sharing one scheduler (distribution)', () => {
  let src: LocalRegistry;
  let dst: LocalRegistry;
  const clients: ClosableRegistryClient[] = [];

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  });
  after(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await Promise.allSettled([src?.stop(), dst?.stop()]);
  });

  const clientFor = (registry: LocalRegistry): ClosableRegistryClient => {
    const client = createRegistryClient({ host: registry.host, insecure: true });
    clients.push(client);
    return client;
  };

  it('copies 20 images sharing base layers into 20 repositories at once; crane validates every target', async () => {
    const base = await pushImage(src, 'shared/base:v1', { layers: 3, layerSize: 300_000 });
    // Each image is the base with its own config (a label): distinct images, the same layers.
    for (let i = 0; i < IMAGES; i++) {
      await runTool(
        'crane',
        ['mutate', '--insecure', base.ref, '--label', `image=${i}`, '-t', `${src.host}/app-${i}:v1`],
        { registries: [src] },
      );
    }
    const source = clientFor(src);
    const target = clientFor(dst);
    const scheduler = createCopyScheduler();
    const settled = await Promise.allSettled(
      Array.from({ length: IMAGES }, (_, i) =>
        copyImage({
          source: { client: source, repository: `app-${i}`, reference: 'v1' },
          target: { client: target, repository: `team-${i}/app`, reference: 'v1' },
          scheduler,
        }),
      ),
    );
    const failures = settled.flatMap((s, i) =>
      s.status === 'rejected' ? [`team-${i}: ${(s.reason as Error).message}`] : [],
    );
    assert.deepEqual(failures, [], 'every copy succeeded');

    let layersUploaded = 0;
    for (let i = 0; i < IMAGES; i++) {
      const ref = `${dst.host}/team-${i}/app:v1`;
      // validate --remote reads the manifest and every blob from this repository and checks digests.
      await runTool('crane', ['validate', '--insecure', '--remote', ref], { registries: [dst] });
      const sourceDigest = await runTool('crane', ['digest', '--insecure', `${src.host}/app-${i}:v1`], {
        registries: [src],
      });
      const targetDigest = await runTool('crane', ['digest', '--insecure', ref], { registries: [dst] });
      assert.equal(targetDigest.stdout.trim(), sourceDigest.stdout.trim());
      const result = settled[i];
      if (result?.status === 'fulfilled') layersUploaded += result.value.blobsCopied - 1;
    }
    // The shared layers crossed the wire once; every other repository mounted or found them.
    assert.equal(layersUploaded, base.blobs.length - 1);
  });
});
