// Registry client answers no real registry in test/env gives on cue (a registry behind a proxy that
// rewrites Content-Type; a digest algorithm we cannot verify), played by undici's MockAgent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MockAgent } from 'undici';
import { createRegistryClient } from './client.ts';
import { UnsupportedMediaTypeError } from './model/errors.ts';
import { InvalidDigestError } from './manifest/index.ts';

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${'a'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

function registry(t: { after(fn: () => Promise<void>): void }): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  t.after(() => agent.close());
  agent.get('https://reg.example').intercept({ path: '/v2/', method: 'GET' }).reply(200, '').persist();
  return agent;
}

test('a manifest served as application/octet-stream takes the media type its body declares', async (t) => {
  const agent = registry(t);
  agent
    .get('https://reg.example')
    .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
    .reply(200, manifest, { headers: { 'content-type': 'application/octet-stream' } });
  const client = createRegistryClient({ host: 'reg.example', dispatcher: agent });
  const got = await client.getManifest('a', 'v1');
  assert.equal(got.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(got.digest, digest);
});

test('a digest in an algorithm lifeboat cannot verify is refused as such, not as a mismatch', async (t) => {
  const agent = registry(t);
  const sha384 = `sha384:${'b'.repeat(96)}`;
  agent
    .get('https://reg.example')
    .intercept({ path: `/v2/a/manifests/${sha384}`, method: 'GET' })
    .reply(200, manifest, { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  const client = createRegistryClient({ host: 'reg.example', dispatcher: agent });
  await assert.rejects(
    client.getManifest('a', sha384),
    (err: unknown) => err instanceof InvalidDigestError && /unsupported algorithm "sha384"/.test(err.message),
  );
});

test('a manifest whose body and Content-Type name no type takes the type its shape implies', async (t) => {
  const agent = registry(t);
  const untyped = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  agent
    .get('https://reg.example')
    .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
    .reply(200, untyped, { headers: { 'content-type': 'application/json' } });
  const client = createRegistryClient({ host: 'reg.example', dispatcher: agent });
  assert.equal((await client.getManifest('a', 'v1')).mediaType, 'application/vnd.oci.image.index.v1+json');
});

test('a body that disagrees with its Content-Type is refused, naming both', async (t) => {
  const agent = registry(t);
  agent
    .get('https://reg.example')
    .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
    .reply(200, manifest, {
      headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    });
  const client = createRegistryClient({ host: 'reg.example', dispatcher: agent });
  await assert.rejects(
    client.getManifest('a', 'v1'),
    (err: unknown) =>
      err instanceof UnsupportedMediaTypeError &&
      err.mediaType === 'application/vnd.docker.distribution.manifest.v2+json' &&
      err.message.includes('application/vnd.oci.image.manifest.v1+json'),
  );
});

test('a HEAD whose Content-Type is generic is completed by a GET', async (t) => {
  const agent = registry(t);
  const pool = agent.get('https://reg.example');
  pool.intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' }).reply(200, '', {
    headers: {
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      'content-length': String(manifest.length),
    },
  });
  pool
    .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
    .reply(200, manifest, { headers: { 'content-type': 'application/octet-stream' } });
  const client = createRegistryClient({ host: 'reg.example', dispatcher: agent });
  assert.deepEqual(await client.headManifest('a', 'v1'), {
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: manifest.length,
  });
});
