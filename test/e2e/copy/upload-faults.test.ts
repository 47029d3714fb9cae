// The copy engine when the TARGET's uploads fail: a fault proxy in front of a real distribution
// registry answers a blob PUT with 429 + Retry-After and a chunk PATCH with 503. A streamed body
// cannot be replayed by the transport, so the engine restarts the upload with a fresh source read;
// crane then validates what the target holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushImage, runTool, startRegistry, type TestRegistry } from '../../env/index.ts';
import { CopyError, copyImage } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';
import { startFaultProxy, type FaultProxy } from '../registry/fault-proxy.ts';

describe('copyImage into a target whose uploads fail (distribution behind a fault proxy)', () => {
  let src: TestRegistry;
  let dst: TestRegistry;
  let proxy: FaultProxy;
  const clients: ClosableRegistryClient[] = [];
  const client = (host: string): ClosableRegistryClient => {
    const c = createRegistryClient({ host, insecure: true });
    clients.push(c);
    return c;
  };

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    proxy = await startFaultProxy({ upstream: `http://${dst.host}` });
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await proxy?.stop();
    await Promise.allSettled([src?.stop(), dst?.stop()]);
  });

  const copy = (repository: string) =>
    copyImage({
      source: { client: client(src.host), repository, reference: 'v1' },
      target: { client: client(proxy.host), repository: `backup/${repository}`, reference: 'v1' },
    });

  it('waits out a 429 on the blob PUT and a 503 on a chunk, restarting the upload, and lands the image', async () => {
    const image = await pushImage(src, 'uploads/flaky:v1', { layers: 1, layerSize: 300_000 });
    proxy.clearRules();
    proxy.requests.length = 0;
    const throttled = proxy.addRule({
      method: 'PUT',
      path: '/blobs/uploads/',
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    const unavailable = proxy.addRule({
      method: 'PATCH',
      path: '/blobs/uploads/',
      times: 1,
      action: { kind: 'status', status: 503 },
    });
    const started = Date.now();
    const result = await copy('uploads/flaky');
    assert.equal(result.targetDigest, image.digest);
    assert.equal(throttled.hits(), 1);
    assert.equal(unavailable.hits(), 1);
    assert.ok(Date.now() - started >= 1000, 'the 429 Retry-After of 1 s was waited out');
    await runTool('crane', ['validate', '--insecure', '--remote', `${dst.host}/backup/uploads/flaky:v1`], {
      registries: [dst],
    });
  });

  it('fails with a temporary CopyError naming the blob after the last restart; no manifest is pushed', async () => {
    const image = await pushImage(src, 'uploads/down:v1', { layers: 1, layerSize: 300_000 });
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    proxy.clearRules();
    proxy.requests.length = 0;
    for (const method of ['PUT', 'PATCH']) {
      proxy.addRule({ method, path: '/blobs/uploads/', action: { kind: 'status', status: 503 } });
    }
    try {
      await assert.rejects(copy('uploads/down'), (error: unknown) => {
        assert.ok(error instanceof CopyError, String(error));
        assert.equal(error.temporary, true);
        assert.ok(error.digest === layer.digest || error.digest === image.blobs[0]?.digest, error.message);
        return true;
      });
    } finally {
      proxy.clearRules();
    }
    // One monolithic PUT and three chunked restarts per blob: bounded, and spaced by backoff.
    assert.ok(proxy.count('PATCH', '/blobs/uploads/') <= 3 * image.blobs.length);
    assert.equal(proxy.count('PUT', '/manifests/'), 0, 'no manifest pushed');
  });
});
