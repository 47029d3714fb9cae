// Transport faults, injected by a proxy in front of a real token-auth registry: 429 with Retry-After,
// 503s, resets before and during a body, short bodies, wrong bytes, oversized and schema 1 manifests,
// redirects to another host, aborts. Waits go through an injected sleep that records what was asked,
// so nothing here depends on timing; request counts prove there are no request floods.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pushImage, startRegistry, type PushedImage, type LocalRegistry } from '../../../src/devenv/index.ts';
import {
  DigestMismatchError,
  ManifestTooLargeError,
  NetworkError,
  RegistryError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
  createRegistryClient,
  type ClosableRegistryClient,
  type RegistryClientOptions,
} from '../../../src/registry/index.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

const ATTEMPTS = 4;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('registry transport under injected faults', () => {
  let registry: LocalRegistry;
  let image: PushedImage;
  let proxy: FaultProxy;
  let blobDigest: string;
  let blobSize: number;

  before(async () => {
    registry = await startRegistry({ auth: 'token' });
    image = await pushImage(registry, 'faults/app:v1', { layers: 1, layerSize: 512 * 1024 });
    const layer = image.blobs[1];
    assert.ok(layer);
    blobDigest = layer.digest;
    blobSize = layer.size;
    proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  /** A client through the proxy whose waits are recorded instead of slept; warmed up (token cached). */
  async function client(
    t: { after(fn: () => Promise<void>): void },
    extra: Partial<RegistryClientOptions> = {},
  ): Promise<{ c: ClosableRegistryClient; waits: number[] }> {
    const waits: number[] = [];
    proxy.clearRules();
    assert.ok(registry.username !== undefined && registry.password !== undefined);
    const c = createRegistryClient({
      host: proxy.host,
      insecure: true,
      credentials: { kind: 'basic', username: registry.username, password: registry.password },
      retry: { attempts: ATTEMPTS, baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 10_000 },
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      ...extra,
    });
    t.after(() => c.close());
    await c.headManifest('faults/app', 'v1');
    await c.headBlob('faults/app', blobDigest);
    proxy.requests.length = 0;
    return { c, waits };
  }

  it('waits for Retry-After on a 429 and then succeeds, with one extra request', async (t) => {
    const { c, waits } = await client(t);
    proxy.addRule({
      method: 'HEAD',
      path: '/manifests/v1',
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
    });
    const head = await c.headManifest('faults/app', 'v1');
    assert.equal(head?.digest, image.digest);
    assert.deepEqual(waits, [2_000]);
    assert.equal(proxy.count('HEAD', '/manifests/v1'), 2);
  });

  it('bounds a long Retry-After (seconds or HTTP date) by the maximum wait', async (t) => {
    const { c, waits } = await client(t);
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    proxy.addRule({
      method: 'GET',
      path: '/manifests/v1',
      times: 1,
      action: { kind: 'status', status: 429, headers: { 'retry-after': '3600' } },
    });
    proxy.addRule({
      method: 'GET',
      path: '/manifests/v1',
      times: 1,
      action: { kind: 'status', status: 503, headers: { 'retry-after': inAnHour } },
    });
    const m = await c.getManifest('faults/app', 'v1');
    assert.equal(m.digest, image.digest);
    assert.deepEqual(waits, [10_000, 10_000]);
  });

  it('gives up after the last attempt on a persistent 429 with TooManyRequestsError and no flood', async (t) => {
    const { c, waits } = await client(t);
    proxy.addRule({
      method: 'GET',
      path: '/manifests/v1',
      action: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    await assert.rejects(c.getManifest('faults/app', 'v1'), (err: unknown) => {
      assert.ok(err instanceof TooManyRequestsError);
      assert.equal(err.temporary, true);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterMs, 1_000);
      assert.equal(err.repository, 'faults/app');
      return true;
    });
    assert.equal(proxy.count('GET', '/manifests/v1'), ATTEMPTS);
    assert.equal(waits.length, ATTEMPTS - 1);
  });

  it('retries 503s with growing jittered backoff and then streams the blob', async (t) => {
    const { c, waits } = await client(t, { random: () => 0.5 });
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${blobDigest}`,
      times: 2,
      action: { kind: 'status', status: 503 },
    });
    const reader = await c.getBlob('faults/app', blobDigest);
    assert.equal(sha256(await readAll(reader.body)), blobDigest);
    assert.deepEqual(waits, [75, 150]);
    assert.equal(proxy.count('GET', `/blobs/${blobDigest}`), 3);
  });

  it('fails a persistent 503 with a temporary RegistryError after exactly the allowed attempts', async (t) => {
    const { c } = await client(t);
    proxy.addRule({ method: 'HEAD', path: '/blobs/', action: { kind: 'status', status: 503 } });
    await assert.rejects(c.headBlob('faults/app', blobDigest), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.status, 503);
      assert.equal(err.temporary, true);
      assert.equal(err.digest, blobDigest);
      return true;
    });
    assert.equal(proxy.count('HEAD', '/blobs/'), ATTEMPTS);
  });

  it('does not retry a 404 or 400', async (t) => {
    const { c, waits } = await client(t);
    assert.equal(await c.headManifest('faults/app', 'nope'), undefined);
    proxy.addRule({ method: 'GET', path: '/manifests/v1', action: { kind: 'status', status: 400 } });
    await assert.rejects(c.getManifest('faults/app', 'v1'), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.temporary, false);
      assert.deepEqual(
        err.errors.map((e) => e.code),
        ['INJECTED'],
      );
      return true;
    });
    assert.equal(proxy.count('HEAD', '/manifests/nope'), 1);
    assert.equal(proxy.count('GET', '/manifests/v1'), 1);
    assert.deepEqual(waits, []);
  });

  it('retries a connection reset before the response', async (t) => {
    const { c, waits } = await client(t);
    proxy.addRule({ method: 'GET', path: '/manifests/v1', times: 1, action: { kind: 'reset' } });
    assert.equal((await c.getManifest('faults/app', 'v1')).digest, image.digest);
    assert.equal(waits.length, 1);
  });

  it('fails a blob body reset mid-way with a temporary NetworkError, and a fresh GET works', async (t) => {
    const { c } = await client(t);
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${blobDigest}`,
      times: 1,
      action: { kind: 'reset-mid-body', afterBytes: 100_000 },
    });
    const reader = await c.getBlob('faults/app', blobDigest);
    assert.equal(reader.size, blobSize);
    await assert.rejects(readAll(reader.body), (err: unknown) => {
      assert.ok(err instanceof NetworkError, String(err));
      assert.equal(err.temporary, true);
      assert.equal(err.digest, blobDigest);
      return true;
    });
    const again = await c.getBlob('faults/app', blobDigest);
    assert.equal(sha256(await readAll(again.body)), blobDigest);
  });

  it('fails a short blob body (clean close before Content-Length) with a temporary NetworkError', async (t) => {
    const { c } = await client(t);
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${blobDigest}`,
      times: 1,
      action: { kind: 'truncate-body', afterBytes: 1_000 },
    });
    const reader = await c.getBlob('faults/app', blobDigest);
    await assert.rejects(
      readAll(reader.body),
      (err: unknown) => err instanceof NetworkError && err.temporary,
    );
  });

  it('refuses manifest bytes that do not hash to the requested digest, naming both', async (t) => {
    const { c } = await client(t);
    proxy.addRule({
      method: 'GET',
      path: `/manifests/${image.digest}`,
      action: { kind: 'corrupt-body', at: 10 },
    });
    await assert.rejects(c.getManifest('faults/app', image.digest), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError, String(err));
      assert.equal(err.expected, image.digest);
      assert.notEqual(err.actual, image.digest);
      assert.match(err.message, new RegExp(image.digest));
      assert.match(err.message, new RegExp(err.actual));
      assert.equal(err.temporary, false);
      return true;
    });
  });

  it('refuses a tag whose bytes disagree with Docker-Content-Digest', async (t) => {
    const { c } = await client(t);
    proxy.addRule({ method: 'GET', path: '/manifests/v1', action: { kind: 'corrupt-body', at: 5 } });
    await assert.rejects(c.getManifest('faults/app', 'v1'), DigestMismatchError);
  });

  it('refuses a manifest over 4 MiB, with or without Content-Length', async (t) => {
    const { c } = await client(t);
    const big = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        annotations: { pad: 'x'.repeat(4 * 1024 * 1024) },
      }),
    );
    const headers = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' };
    for (const chunked of [false, true]) {
      proxy.addRule({
        method: 'GET',
        path: '/manifests/big',
        times: 1,
        action: { kind: 'replace-body', body: big, headers, chunked },
      });
      await assert.rejects(c.getManifest('faults/app', 'big'), (err: unknown) => {
        assert.ok(err instanceof ManifestTooLargeError, String(err));
        assert.equal(err.code, 'REGISTRY_MANIFEST_TOO_LARGE');
        assert.equal(err.limit, 4 * 1024 * 1024);
        return true;
      });
    }
    assert.equal(proxy.count('GET', '/manifests/big'), 2, 'never retried');
  });

  it('refuses a schema 1 manifest naming its media type', async (t) => {
    const { c } = await client(t);
    const type = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
    proxy.addRule({
      method: 'GET',
      path: '/manifests/old',
      action: {
        kind: 'replace-body',
        body: Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'faults/app', tag: 'old', fsLayers: [] })),
        headers: { 'content-type': type },
      },
    });
    await assert.rejects(c.getManifest('faults/app', 'old'), (err: unknown) => {
      assert.ok(err instanceof UnsupportedMediaTypeError);
      assert.equal(err.mediaType, type);
      assert.match(err.message, /schema 1/);
      return true;
    });
  });

  it('follows a blob redirect to another host without sending it Authorization', async (t) => {
    const { c } = await client(t);
    proxy.redirectHits.length = 0;
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${blobDigest}`,
      times: 1,
      action: { kind: 'redirect-other-host' },
    });
    const reader = await c.getBlob('faults/app', blobDigest);
    assert.equal(sha256(await readAll(reader.body)), blobDigest);
    assert.equal(proxy.redirectHits.length, 1);
    assert.equal(proxy.redirectHits[0]?.authorization, undefined);
    const original = proxy.requests.find((r) => r.method === 'GET' && r.path.includes(blobDigest));
    assert.equal(original?.authorization, 'Bearer', 'the registry itself did get the token');
  });

  it('sends a streamed upload once: a 503 on the PUT is a temporary error, and a restart succeeds', async (t) => {
    const { c } = await client(t);
    const bytes = Buffer.alloc(64 * 1024, 3);
    const digest = sha256(bytes);
    proxy.addRule({
      method: 'PUT',
      path: '/blobs/uploads/',
      times: 1,
      action: { kind: 'status', status: 503 },
    });
    await assert.rejects(
      c.pushBlob('faults/up', digest, bytes.length, Readable.from([bytes])),
      (err: unknown) => err instanceof RegistryError && err.temporary && err.status === 503,
    );
    assert.equal(proxy.count('PUT', '/blobs/uploads/'), 1, 'not retried inside the client');
    assert.equal(proxy.count('DELETE', '/blobs/uploads/'), 1, 'the failed session was cancelled');
    await c.pushBlob('faults/up', digest, bytes.length, Readable.from([bytes]));
    assert.equal(await c.headBlob('faults/up', digest), bytes.length);
  });

  it('honours OCI-Chunk-Min-Length over a smaller requested chunk size', async (t) => {
    const { c } = await client(t);
    const bytes = Buffer.alloc(300_000, 9);
    const digest = sha256(bytes);
    proxy.addRule({
      method: 'POST',
      path: '/faults/minchunk/blobs/uploads/',
      action: { kind: 'add-response-headers', headers: { 'oci-chunk-min-length': '150000' } },
    });
    await c.pushBlobChunked('faults/minchunk', digest, bytes.length, Readable.from([bytes]), {
      chunkSize: 50_000,
    });
    assert.equal(proxy.count('PATCH', '/faults/minchunk/'), 2);
    assert.equal(await c.headBlob('faults/minchunk', digest), bytes.length);
  });

  it('fails a chunked upload whose PATCH gets a 503 without repeating the PATCH, and cancels it', async (t) => {
    const { c } = await client(t);
    const bytes = Buffer.alloc(200_000, 4);
    const digest = sha256(bytes);
    proxy.addRule({
      method: 'PATCH',
      path: '/faults/chunkfail/',
      times: 1,
      action: { kind: 'status', status: 503 },
    });
    await assert.rejects(
      c.pushBlobChunked('faults/chunkfail', digest, bytes.length, Readable.from([bytes]), {
        chunkSize: 100_000,
      }),
      (err: unknown) => err instanceof RegistryError && err.temporary && err.status === 503,
    );
    assert.equal(proxy.count('PATCH', '/faults/chunkfail/'), 1);
    assert.equal(proxy.count('DELETE', '/faults/chunkfail/'), 1);
    assert.equal(await c.headBlob('faults/chunkfail', digest), undefined);
    await c.pushBlobChunked('faults/chunkfail', digest, bytes.length, Readable.from([bytes]), {
      chunkSize: 100_000,
    });
    assert.equal(await c.headBlob('faults/chunkfail', digest), bytes.length);
  });

  it('a burst of requests on a fresh client costs one challenge and one token', async () => {
    assert.ok(registry.username !== undefined && registry.password !== undefined);
    const c = createRegistryClient({
      host: proxy.host,
      insecure: true,
      credentials: { kind: 'basic', username: registry.username, password: registry.password },
    });
    try {
      proxy.clearRules();
      proxy.requests.length = 0;
      const tokensBefore = registry.tokensIssued();
      const heads = await Promise.all(Array.from({ length: 8 }, () => c.headBlob('faults/app', blobDigest)));
      assert.deepEqual(
        heads,
        Array.from({ length: 8 }, () => blobSize),
      );
      assert.equal(registry.tokensIssued() - tokensBefore, 1);
      assert.equal(proxy.count('HEAD'), 9, 'one unauthenticated request learns the challenge, then 8');
    } finally {
      await c.close();
    }
  });

  it('stops waiting for Retry-After when the caller aborts', async () => {
    assert.ok(registry.username !== undefined && registry.password !== undefined);
    const controller = new AbortController();
    const c = createRegistryClient({
      host: proxy.host,
      insecure: true,
      credentials: { kind: 'basic', username: registry.username, password: registry.password },
      // Abort as soon as the 429 arrives: the client is then in its (real) Retry-After sleep.
      onRequest: (o) => {
        if (o.status === 429) controller.abort(new Error('caller gave up'));
      },
    });
    try {
      proxy.addRule({
        method: 'GET',
        path: '/manifests/abort',
        action: { kind: 'status', status: 429, headers: { 'retry-after': '30' } },
      });
      await assert.rejects(
        c.getManifest('faults/app', 'abort', { signal: controller.signal }),
        /caller gave up/,
      );
      assert.equal(proxy.count('GET', '/manifests/abort'), 1);
    } finally {
      proxy.clearRules();
      await c.close();
    }
  });
});
