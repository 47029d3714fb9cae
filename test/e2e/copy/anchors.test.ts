// Anchored copies (anchor-tag.ts) against a REAL registry (distribution): fixtures pushed by crane,
// every result read back by crane, and a counting proxy to show that repairing anchors moves no blob.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  pushImage,
  pushIndex,
  runTool,
  startRegistry,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import { anchorTag, copyImage } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';

const clients: ClosableRegistryClient[] = [];

function clientFor(host: string): ClosableRegistryClient {
  const client = createRegistryClient({ host, insecure: true });
  clients.push(client);
  return client;
}

const anchor = (digest: string): string => {
  const tag = anchorTag(digest);
  assert.ok(tag !== undefined);
  return tag;
};

describe('anchored copies between real registries (distribution)', () => {
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let dstProxy: CountingProxy;

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    dstProxy = await startCountingProxy(dst.url);
  });
  after(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await dstProxy?.stop();
    await Promise.allSettled([src?.stop(), dst?.stop()]);
  });

  const crane = async (...args: string[]): Promise<string> =>
    (await runTool('crane', [...args, '--insecure'], { registries: [src, dst] })).stdout;
  const tags = async (repository: string): Promise<string[]> =>
    (await crane('ls', `${dst.host}/${repository}`)).trim().split('\n').sort();
  const digestOf = async (ref: string): Promise<string> =>
    (await crane('digest', `${dst.host}/${ref}`)).trim();

  it('a tagged image: crane lists its anchor beside its tag, both naming its digest', async () => {
    const image = await pushImage(src, 'single/app:v1', { layers: 2, layerSize: 20_000 });
    const result = await copyImage({
      source: { client: clientFor(src.host), repository: 'single/app', reference: 'v1' },
      target: { client: clientFor(dst.host), repository: 'backup/single/app', reference: 'v1' },
      anchor: true,
    });
    assert.equal(result.anchorsWritten, 1);
    assert.deepEqual(await tags('backup/single/app'), [anchor(image.digest), 'v1'].sort());
    assert.equal(await digestOf(`backup/single/app:${anchor(image.digest)}`), image.digest);
    assert.equal(await digestOf('backup/single/app:v1'), image.digest);
  });

  it('a 2-platform index by digest: the index and both children anchored, nothing untagged', async () => {
    const index = await pushIndex(src, 'multi/app:v1', {
      layers: 1,
      layerSize: 20_000,
      platforms: ['linux/amd64', 'linux/arm64'],
      mediaTypes: 'oci',
    });
    const result = await copyImage({
      source: { client: clientFor(src.host), repository: 'multi/app', reference: index.digest },
      target: { client: clientFor(dst.host), repository: 'backup/multi/app', reference: index.digest },
      anchor: true,
    });
    assert.equal(result.anchorsWritten, 3);
    const digests = [index.digest, ...index.children.map((c) => c.digest)];
    assert.deepEqual(await tags('backup/multi/app'), digests.map(anchor).sort());
    for (const digest of digests) assert.equal(await digestOf(`backup/multi/app:${anchor(digest)}`), digest);
  });

  it('an index copied before anchors: the next anchored copy writes its 3 anchors, no blob request', async () => {
    const index = await pushIndex(src, 'old/app:v1', {
      layers: 1,
      layerSize: 20_000,
      platforms: ['linux/amd64', 'linux/arm64'],
      mediaTypes: 'docker',
    });
    const options = {
      source: { client: clientFor(src.host), repository: 'old/app', reference: 'v1' },
      target: { client: clientFor(dstProxy.host), repository: 'backup/old/app', reference: 'v1' },
    };
    await copyImage(options);
    assert.deepEqual(await tags('backup/old/app'), ['v1']);
    dstProxy.reset();
    const repaired = await copyImage({ ...options, anchor: true });
    assert.equal(repaired.skipped, true);
    assert.equal(repaired.anchorsWritten, 3);
    const seen = dstProxy.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      seen.filter((r) => r.includes('/blobs/')),
      [],
    );
    assert.equal(
      seen.filter((r) => r.startsWith('PUT ') && r.includes('/manifests/lifeboat-sha256-')).length,
      3,
    );
    assert.equal(seen.filter((r) => r.startsWith('PUT ')).length, 3, 'only the anchors are written');
    const digests = [index.digest, ...index.children.map((c) => c.digest)];
    assert.deepEqual(await tags('backup/old/app'), [...digests.map(anchor), 'v1'].sort());
    for (const digest of digests) assert.equal(await digestOf(`backup/old/app:${anchor(digest)}`), digest);
    // A recheck now finds every anchor in place and writes nothing.
    dstProxy.reset();
    const again = await copyImage({ ...options, anchor: true });
    assert.equal(again.anchorsWritten, 0);
    assert.deepEqual(
      dstProxy.requests.filter((r) => r.method !== 'HEAD' && r.method !== 'GET'),
      [],
    );
  });
});
