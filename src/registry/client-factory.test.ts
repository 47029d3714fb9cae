// The factory's clients reach the registry with the login they were given, over plain HTTP only for
// the hosts listed as insecure; undici's MockAgent plays the registries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockAgent } from 'undici';
import { ANONYMOUS, basicAuthorization, type Credentials } from './auth/credentials.ts';
import { dockerConfigKeychain } from './auth/docker-config.ts';
import { credentialsFor, registryClientFactory } from './client-factory.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const MANIFEST_HEADERS = {
  'content-type': 'application/vnd.oci.image.manifest.v1+json',
  'docker-content-digest': DIGEST,
  'content-length': '2',
};

/** A registry at `origin` that asks for Basic auth and accepts only `authorization`. */
function basicRegistry(agent: MockAgent, origin: string, authorization: string): void {
  const pool = agent.get(origin);
  pool
    .intercept({ path: '/v2/a/manifests/v1', method: 'HEAD', headers: { authorization } })
    .reply(200, '', { headers: MANIFEST_HEADERS });
  pool
    .intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' })
    .reply(401, '', { headers: { 'www-authenticate': 'Basic realm="test"' } });
}

test('clients get their host, their login, and plain HTTP only when the host is listed insecure', async (t) => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  t.after(() => agent.close());
  const login: Credentials = { kind: 'basic', username: 'u', password: 'pw' };
  const authorization = basicAuthorization('u', 'pw');
  basicRegistry(agent, 'http://plain.example:5000', authorization);
  basicRegistry(agent, 'https://tls.example', authorization);
  const newClient = registryClientFactory({ insecureRegistries: ['plain.example:5000'], dispatcher: agent });
  for (const host of ['plain.example:5000', 'tls.example']) {
    const client = newClient(host, login);
    t.after(() => client.close());
    assert.deepEqual(await client.headManifest('a', 'v1'), {
      digest: DIGEST,
      mediaType: MANIFEST_HEADERS['content-type'],
      size: 2,
    });
  }
  agent.assertNoPendingInterceptors();
});

test('credentialsFor: the explicit login, else the keychain, else anonymous', () => {
  const explicit: Credentials = { kind: 'basic', username: 'flag', password: 'x' };
  const keychain = dockerConfigKeychain({ auths: { 'r.example': { username: 'file', password: 'y' } } });
  assert.equal(credentialsFor('r.example', explicit, keychain), explicit);
  assert.deepEqual(credentialsFor('r.example', undefined, keychain), {
    kind: 'basic',
    username: 'file',
    password: 'y',
  });
  assert.equal(credentialsFor('other.example', undefined, keychain), ANONYMOUS);
  assert.equal(credentialsFor('r.example', undefined, undefined), ANONYMOUS);
});

test("a client's own request hook runs after the factory's, for its requests only", async (t) => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  t.after(() => agent.close());
  agent
    .get('https://r.example')
    .intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' })
    .reply(200, '', { headers: MANIFEST_HEADERS })
    .times(2);
  const seen: string[] = [];
  const newClient = registryClientFactory({
    dispatcher: agent,
    onRequest: (o) => seen.push(`factory ${o.method} ${o.status}`),
  });
  const withHook = newClient('r.example', ANONYMOUS, { onRequest: (o) => seen.push(`own ${o.host}`) });
  const without = newClient('r.example', ANONYMOUS);
  t.after(() => Promise.all([withHook.close(), without.close()]));
  await withHook.headManifest('a', 'v1');
  await without.headManifest('a', 'v1');
  assert.deepEqual(seen, ['factory HEAD 200', 'own r.example', 'factory HEAD 200']);
});
