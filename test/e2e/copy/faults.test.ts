// The copy engine when a registry lies or breaks, through proxies in front of REAL registries: the
// source serves a layer with one byte flipped (wrong digest, right size) or cuts its body in half;
// the target answers a blob PUT with 429 + Retry-After or a chunk PATCH with 503 (a streamed body
// cannot be replayed by the transport, so the engine restarts the upload with a fresh source read).
// crane then checks what the target holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushImage, runTool, startRegistry, type LocalRegistry } from '../../../src/devenv/index.ts';
import { BlobMismatchError, CopyError, copyImage } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';
import { startFaultProxy, type FaultProxy } from '../registry/fault-proxy.ts';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';

/** What crane prints when the registry holds no such manifest, blob or repository. */
const ABSENT = /MANIFEST_UNKNOWN|BLOB_UNKNOWN|NAME_UNKNOWN|404/;

describe('copyImage through a faulty source or target', () => {
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let proxy: CountingProxy;
  let targetProxy: FaultProxy;
  const clients: ClosableRegistryClient[] = [];
  const client = (host: string): ClosableRegistryClient => {
    // Few retries: the faults below are permanent unless a test bounds them.
    const c = createRegistryClient({ host, insecure: true, retry: { attempts: 2, baseMs: 10, maxMs: 20 } });
    clients.push(c);
    return c;
  };

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    proxy = await startCountingProxy(src.url);
    targetProxy = await startFaultProxy({ upstream: `http://${dst.host}` });
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await proxy?.stop();
    await targetProxy?.stop();
    await Promise.allSettled([src?.stop(), dst?.stop()]);
  });

  const copy = (repository: string) =>
    copyImage({
      source: { client: client(proxy.host), repository, reference: 'v1' },
      target: { client: client(dst.host), repository: `backup/${repository}`, reference: 'v1' },
    });

  const copyIntoFaultyTarget = (repository: string) =>
    copyImage({
      source: { client: client(src.host), repository, reference: 'v1' },
      target: { client: client(targetProxy.host), repository: `backup/${repository}`, reference: 'v1' },
    });

  const blobInTarget = (repository: string, digest: string): Promise<boolean> =>
    runTool('crane', ['blob', '--insecure', `${dst.host}/backup/${repository}@${digest}`], {
      registries: [dst],
    }).then(
      () => true,
      (error: unknown) => {
        // Only "the registry does not have it" means absent; crane failing otherwise is a test fault.
        if (error instanceof Error && ABSENT.test(error.message)) return false;
        throw error;
      },
    );

  it('fails on a layer served with the wrong digest, names both digests, and stores nothing under it', async () => {
    const image = await pushImage(src, 'faults/corrupt:v1', { layers: 2, layerSize: 300_000 });
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    proxy.fault('corrupt', { digest: layer.digest });
    try {
      await assert.rejects(copy('faults/corrupt'), (error: unknown) => {
        assert.ok(error instanceof CopyError);
        assert.ok(error.cause instanceof BlobMismatchError);
        assert.equal(error.cause.code, 'BLOB_DIGEST_MISMATCH');
        assert.equal(error.cause.expected, layer.digest);
        assert.match(error.cause.actual, /^sha256:[0-9a-f]{64}$/);
        assert.notEqual(error.cause.actual, layer.digest);
        assert.ok(
          error.message.includes(layer.digest) && error.message.includes(error.cause.actual),
          error.message,
        );
        return true;
      });
    } finally {
      proxy.fault(undefined);
    }
    assert.equal(await blobInTarget('faults/corrupt', layer.digest), false);
    await assert.rejects(
      runTool('crane', ['digest', '--insecure', `${dst.host}/backup/faults/corrupt:v1`], {
        registries: [dst],
      }),
      ABSENT,
    );
  });

  it('recovers from a body cut in half once, with a fresh source read, and stores the right bytes', async () => {
    const image = await pushImage(src, 'faults/short-once:v1', { layers: 1, layerSize: 400_000 });
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    proxy.fault('truncate', { digest: layer.digest, times: 1 });
    try {
      const result = await copy('faults/short-once');
      assert.equal(result.targetDigest, image.digest);
    } finally {
      proxy.fault(undefined);
    }
    assert.equal(await blobInTarget('faults/short-once', layer.digest), true);
  });

  it('fails clearly, naming the blob, when the body is always cut short; no manifest is pushed', async () => {
    const image = await pushImage(src, 'faults/short:v1', { layers: 1, layerSize: 400_000 });
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    proxy.fault('truncate', { digest: layer.digest });
    try {
      await assert.rejects(copy('faults/short'), (error: unknown) => {
        assert.ok(error instanceof CopyError);
        assert.ok(error.message.includes('faults/short'), error.message);
        assert.equal(error.digest, layer.digest, error.message);
        return true;
      });
    } finally {
      proxy.fault(undefined);
    }
    assert.equal(await blobInTarget('faults/short', layer.digest), false);
    await assert.rejects(
      runTool('crane', ['digest', '--insecure', `${dst.host}/backup/faults/short:v1`], { registries: [dst] }),
      ABSENT,
    );
  });

  it('waits out a 429 on the blob PUT and a 503 on a chunk, restarting the upload, and lands the image', async () => {
    const image = await pushImage(src, 'uploads/flaky:v1', { layers: 1, layerSize: 300_000 });
    targetProxy.clearRules();
    targetProxy.requests.length = 0;
    const throttled = targetProxy.addRule({
      method: 'PUT',
      path: '/blobs/uploads/',
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    const unavailable = targetProxy.addRule({
      method: 'PATCH',
      path: '/blobs/uploads/',
      times: 1,
      action: { kind: 'status', status: 503 },
    });
    const started = Date.now();
    const result = await copyIntoFaultyTarget('uploads/flaky');
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
    targetProxy.clearRules();
    targetProxy.requests.length = 0;
    for (const method of ['PUT', 'PATCH']) {
      targetProxy.addRule({ method, path: '/blobs/uploads/', action: { kind: 'status', status: 503 } });
    }
    try {
      await assert.rejects(copyIntoFaultyTarget('uploads/down'), (error: unknown) => {
        assert.ok(error instanceof CopyError, String(error));
        assert.equal(error.temporary, true);
        assert.ok(error.digest === layer.digest || error.digest === image.blobs[0]?.digest, error.message);
        return true;
      });
    } finally {
      targetProxy.clearRules();
    }
    // Per blob, one monolithic PUT and then three chunked restarts (a PATCH each): the blob that
    // failed the copy went through all of them, and no blob went through more.
    const patches = targetProxy.count('PATCH', '/blobs/uploads/');
    assert.ok(patches >= 3 && patches <= 3 * image.blobs.length, `${patches} PATCHes`);
    assert.ok(targetProxy.count('PUT', '/blobs/uploads/') >= 1, 'a monolithic PUT came first');
    assert.equal(targetProxy.count('PUT', '/manifests/'), 0, 'no manifest pushed');
  });
});
