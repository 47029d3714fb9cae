// The registry client against real registries (distribution with no auth, htpasswd and token auth;
// go-containerregistry's registry as a second implementation). Fixtures are pushed by crane and
// results are checked by crane, so the client is never graded by itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  pushImage,
  pushIndex,
  runTool,
  startRegistry,
  type PushedImage,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import {
  NotFoundError,
  createRegistryClient,
  type ClosableRegistryClient,
  type RequestObservation,
} from '../../../src/registry/index.ts';

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function clientFor(
  registry: LocalRegistry,
  onRequest?: (o: RequestObservation) => void,
): ClosableRegistryClient {
  return createRegistryClient({
    host: registry.host,
    insecure: true,
    credentials:
      registry.username !== undefined && registry.password !== undefined
        ? { kind: 'basic', username: registry.username, password: registry.password }
        : undefined,
    onRequest,
  });
}

for (const options of [
  { auth: 'none' },
  { auth: 'htpasswd' },
  { auth: 'token' },
  { auth: 'none', impl: 'crane' },
] as const) {
  const impl = 'impl' in options ? options.impl : 'distribution';
  describe(`registry client against a ${options.auth} ${impl} registry`, () => {
    let registry: LocalRegistry;
    let client: ClosableRegistryClient;
    let image: PushedImage;
    const observed: RequestObservation[] = [];

    before(async () => {
      registry = await startRegistry(options);
      image = await pushImage(registry, 'src/app:v1', {
        layers: 2,
        layerSize: 256 * 1024,
        mediaTypes: 'oci',
      });
      client = clientFor(registry, (o) => observed.push(o));
    });
    after(async () => {
      await client?.close();
      await registry?.stop();
    });

    it('HEADs a manifest by tag with the digest, media type and size crane reported', async () => {
      const head = await client.headManifest('src/app', 'v1');
      assert.deepEqual(head && { digest: head.digest, mediaType: head.mediaType }, {
        digest: image.digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      const raw = (await runTool('crane', ['manifest', image.ref], { registries: [registry] })).stdout;
      assert.equal(head?.size, Buffer.byteLength(raw));
    });

    it('answers undefined for a manifest or blob the repository does not hold', async () => {
      assert.equal(await client.headManifest('src/app', 'missing'), undefined);
      assert.equal(await client.headBlob('src/app', `sha256:${'0'.repeat(64)}`), undefined);
    });

    it('GETs manifest bytes that hash to the digest, by tag and by digest', async () => {
      const byTag = await client.getManifest('src/app', 'v1');
      const byDigest = await client.getManifest('src/app', image.digest);
      assert.equal(sha256(byTag.bytes), image.digest);
      assert.equal(byTag.digest, image.digest);
      assert.deepEqual(byDigest.bytes, byTag.bytes);
      assert.equal(byDigest.size, byTag.bytes.length);
    });

    it('fails a GET of a missing manifest with NotFoundError naming registry and repository', async () => {
      await assert.rejects(client.getManifest('src/app', 'missing'), (err: unknown) => {
        assert.ok(err instanceof NotFoundError);
        assert.equal(err.status, 404);
        assert.equal(err.registry, registry.host);
        assert.equal(err.repository, 'src/app');
        assert.match(err.message, new RegExp(`${registry.host}/src/app:missing`));
        return true;
      });
    });

    it('streams blobs whose bytes hash to their digests and HEADs their sizes', async () => {
      for (const blob of image.blobs) {
        assert.equal(await client.headBlob('src/app', blob.digest), blob.size);
        const reader = await client.getBlob('src/app', blob.digest);
        assert.equal(reader.size, blob.size);
        assert.equal(sha256(await readAll(reader.body)), blob.digest);
      }
    });

    it('copies an image with monolithic and chunked uploads and a manifest PUT that crane validates', async () => {
      const manifest = await client.getManifest('src/app', 'v1');
      for (const [i, blob] of image.blobs.entries()) {
        const bytes = await readAll((await client.getBlob('src/app', blob.digest)).body);
        if (i % 2 === 0)
          await client.pushBlob('copy/mono', blob.digest, bytes.length, Readable.from([bytes]));
        else {
          await client.pushBlobChunked('copy/mono', blob.digest, bytes.length, Readable.from([bytes]), {
            chunkSize: 100_000,
          });
        }
        assert.equal(await client.headBlob('copy/mono', blob.digest), blob.size);
      }
      const digest = await client.putManifest('copy/mono', 'v1', manifest);
      assert.equal(digest, image.digest);
      const ref = `${registry.host}/copy/mono:v1`;
      assert.equal(
        (await runTool('crane', ['digest', ref], { registries: [registry] })).stdout.trim(),
        image.digest,
      );
      await runTool('crane', ['validate', '--remote', ref], { registries: [registry] });
    });

    it('sends chunked uploads as PATCHes of the requested size', async () => {
      const bytes = Buffer.alloc(250_000, 7);
      const digest = sha256(bytes);
      const before = observed.filter((o) => o.method === 'PATCH').length;
      await client.pushBlobChunked('copy/chunks', digest, bytes.length, Readable.from([bytes]), {
        chunkSize: 100_000,
      });
      assert.equal(observed.filter((o) => o.method === 'PATCH').length - before, 3);
      const back = await client.getBlob('copy/chunks', digest);
      assert.equal(sha256(await readAll(back.body)), digest);
    });

    it(
      impl === 'crane'
        ? 'reports a declined mount as false and leaves the blob to be uploaded'
        : 'mounts a blob across repositories without uploading it',
      async () => {
        const blob = image.blobs[1];
        assert.ok(blob);
        const mounted = await client.mountBlob('mount/dst', blob.digest, 'src/app');
        if (impl === 'crane') {
          assert.equal(mounted, false);
        } else {
          assert.equal(mounted, true);
          assert.equal(await client.headBlob('mount/dst', blob.digest), blob.size);
        }
      },
    );

    it('round-trips a multi-platform index by digest', async () => {
      const index = await pushIndex(registry, 'src/multi:v1', {
        platforms: ['linux/amd64', 'linux/arm64'],
        layers: 1,
        layerSize: 1024,
        mediaTypes: 'oci',
      });
      const got = await client.getManifest('src/multi', index.digest);
      assert.equal(got.mediaType, 'application/vnd.oci.image.index.v1+json');
      assert.equal(got.digest, index.digest);
      const head = await client.headManifest('src/multi', 'v1');
      assert.equal(head?.digest, index.digest);
      // Children first, then the index under its digest and a tag.
      for (const child of index.children) {
        const m = await client.getManifest('src/multi', child.digest);
        const parsed = JSON.parse(m.bytes.toString('utf8')) as {
          config: { digest: string };
          layers: { digest: string }[];
        };
        for (const { digest } of [parsed.config, ...parsed.layers]) {
          if (await client.mountBlob('copy/multi', digest, 'src/multi')) continue;
          const reader = await client.getBlob('src/multi', digest);
          await client.pushBlob('copy/multi', digest, reader.size, reader.body);
        }
        await client.putManifest('copy/multi', child.digest, m);
      }
      assert.equal(await client.putManifest('copy/multi', 'v1', got), index.digest);
      const ref = `${registry.host}/copy/multi:v1`;
      assert.equal(
        (await runTool('crane', ['digest', ref], { registries: [registry] })).stdout.trim(),
        index.digest,
      );
    });

    it('reports every request to the hook with host, method and status', () => {
      assert.ok(observed.length > 0);
      for (const o of observed) {
        assert.equal(typeof o.host, 'string');
        assert.ok(o.durationMs >= 0);
        assert.ok(o.status === undefined || (o.status >= 100 && o.status < 600));
      }
      assert.ok(observed.some((o) => o.method === 'HEAD' && o.host === registry.host && o.status === 200));
    });
  });
}
