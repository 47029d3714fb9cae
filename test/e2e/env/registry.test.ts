// Smoke tests that prove the registries are real: crane pushes, regctl (another implementation)
// reads back, and the manifest bytes hash to the digest crane reported.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  startRegistry,
  pushImage,
  pushIndex,
  runTool,
  waitFor,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';

async function rawManifestDigest(registry: LocalRegistry, ref: string): Promise<string> {
  const { stdout } = await runTool('regctl', ['manifest', 'get', '--format', 'raw-body', ref], {
    registries: [registry],
  });
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

for (const options of [
  { auth: 'htpasswd', tls: false },
  { auth: 'token', tls: false },
  { auth: 'token', tls: true },
  { auth: 'none', tls: false, impl: 'crane' },
] as const) {
  describe(`a ${options.auth} registry${options.tls ? ' over TLS' : ''} (${'impl' in options ? options.impl : 'distribution'})`, () => {
    let registry: LocalRegistry;
    before(async () => {
      registry = await startRegistry(options);
      await pushImage(registry, 'smoke/auth:v1', { layers: 1, layerSize: 1024 });
    });
    after(() => registry.stop());

    it('reads back an image crane pushed with the digest crane reported', async () => {
      const image = await pushImage(registry, 'smoke/app:v1', { layers: 3, layerSize: 64 * 1024 });
      assert.equal(image.blobs.length, 4, 'config and three layers');
      assert.equal(await rawManifestDigest(registry, image.ref), image.digest);
      const head = await runTool('regctl', ['manifest', 'head', image.ref], { registries: [registry] });
      assert.equal(head.stdout.trim(), image.digest);
    });

    it('serves a multi-platform index whose children carry their platforms', async () => {
      const index = await pushIndex(registry, 'smoke/multi:v1', {
        layers: 1,
        layerSize: 1024,
        platforms: ['linux/amd64', 'linux/arm64'],
        mediaTypes: 'docker',
      });
      assert.equal(index.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
      assert.equal(await rawManifestDigest(registry, index.ref), index.digest);
      const body = JSON.parse(
        (
          await runTool('regctl', ['manifest', 'get', '--format', 'raw-body', index.ref], {
            registries: [registry],
          })
        ).stdout,
      ) as { manifests: { digest: string; platform: { os: string; architecture: string } }[] };
      assert.deepEqual(
        body.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
        index.children.map((c) => [c.platform, c.digest]),
      );
    });

    if (options.auth !== 'none') {
      it('refuses a wrong password', async () => {
        const impostor = { ...registry, password: 'not-the-password' };
        await assert.rejects(
          runTool('crane', ['digest', `${registry.host}/smoke/auth:v1`], { registries: [impostor] }),
          /UNAUTHORIZED|401/,
        );
        // The same call with the right password works, so the refusal was the password's doing.
        const { stdout } = await runTool('crane', ['digest', `${registry.host}/smoke/auth:v1`], {
          registries: [registry],
        });
        assert.match(stdout, /^sha256:[0-9a-f]{64}$/m);
      });
    }
    if (options.tls) {
      it('is refused by a client that does not trust its CA', async () => {
        const { caFile: _trusted, ...untrusting } = registry;
        await assert.rejects(
          runTool('regctl', ['manifest', 'head', `${registry.host}/smoke/auth:v1`], {
            registries: [untrusting],
          }),
          /certificate/,
        );
      });
    }
  });
}

describe('a distribution registry stopped for a while (stopFor)', () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
  });
  after(() => registry.stop());

  it('refuses connections while down, then serves the same images on the same host and users', async () => {
    const image = await pushImage(registry, 'outage/app:v1', { layers: 1, layerSize: 1024 });
    const ref = `${registry.host}/outage/app:v1`;
    const down = registry.stopFor!(10_000);
    // Within the outage nothing answers on the registry's port.
    await waitFor(
      async () => {
        try {
          await fetch(`${registry.url}/v2/`);
          return false;
        } catch {
          return true;
        }
      },
      { what: 'the registry to refuse connections', timeoutMs: 8_000 },
    );
    await down;
    assert.equal(await rawManifestDigest(registry, ref), image.digest);
  });
});
