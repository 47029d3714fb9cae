// Authentication against real registries: Basic (htpasswd), the Bearer token flow (distribution's
// token auth with the test token server), docker config.json keychains with identity tokens, TLS
// with a private CA, and refusal of plain HTTP. Credentials must never show up in errors or logs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { pushImage, startRegistry, type PushedImage, type LocalRegistry } from '../../../src/devenv/index.ts';
import {
  InsecureRegistryError,
  RegistryError,
  TlsError,
  UnauthorizedError,
  createRegistryClient,
  dockerConfigKeychain,
  type ClosableRegistryClient,
  type RegistryClientOptions,
} from '../../../src/registry/index.ts';
import { startFaultProxy } from './fault-proxy.ts';

function withClient(
  t: { after(fn: () => Promise<void>): void },
  options: RegistryClientOptions,
): ClosableRegistryClient {
  const client = createRegistryClient(options);
  t.after(() => client.close());
  return client;
}

function pushCreds(registry: LocalRegistry): { kind: 'basic'; username: string; password: string } {
  assert.ok(registry.username !== undefined && registry.password !== undefined);
  return { kind: 'basic', username: registry.username, password: registry.password };
}

/** Asserts an UnauthorizedError that names the registry and scope and leaks no secret. */
function assertUnauthorized(err: unknown, registry: string, scope: RegExp, secrets: readonly string[]): true {
  assert.ok(err instanceof UnauthorizedError, String(err));
  assert.equal(err.code, 'REGISTRY_UNAUTHORIZED');
  assert.equal(err.temporary, false);
  assert.match(err.message, new RegExp(registry.replaceAll('.', '\\.')));
  assert.match(err.message, scope);
  const text = `${err.message} ${JSON.stringify(err)} ${err.stack ?? ''}`;
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), 'the error must not contain the secret');
    assert.ok(!text.includes(Buffer.from(secret).toString('base64')), 'nor its base64');
  }
  return true;
}

describe('Basic auth against an htpasswd registry', () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    await pushImage(registry, 'basic/app:v1', { layers: 1, layerSize: 1024 });
  });
  after(() => registry?.stop());

  it('reads with the right credentials', async (t) => {
    const client = withClient(t, { host: registry.host, insecure: true, credentials: pushCreds(registry) });
    assert.ok(await client.headManifest('basic/app', 'v1'));
  });

  it('refuses a wrong password with UnauthorizedError naming registry and scope, not the password', async (t) => {
    const password = 'definitely-wrong-Pa55word';
    const client = withClient(t, {
      host: registry.host,
      insecure: true,
      credentials: { kind: 'basic', username: 'lifeboat', password },
    });
    await assert.rejects(client.getManifest('basic/app', 'v1'), (err) =>
      assertUnauthorized(err, registry.host, /repository:basic\/app:pull/, [password]),
    );
  });

  it('refuses anonymous access with UnauthorizedError', async (t) => {
    const client = withClient(t, { host: registry.host, insecure: true });
    await assert.rejects(client.headBlob('basic/app', `sha256:${'1'.repeat(64)}`), (err) =>
      assertUnauthorized(err, registry.host, /repository:basic\/app:pull/, []),
    );
  });
});

describe('the Bearer token flow against a token-auth registry', () => {
  let registry: LocalRegistry;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry({ auth: 'token', tokenTtlSeconds: 120 });
    image = await pushImage(registry, 'tok/src:v1', { layers: 2, layerSize: 4096 });
  });
  after(() => registry?.stop());

  it('fetches one token for a burst of parallel requests on the same scope', async (t) => {
    const client = withClient(t, { host: registry.host, insecure: true, credentials: pushCreds(registry) });
    const before = registry.tokensIssued();
    const heads = await Promise.all(image.blobs.map((b) => client.headBlob('tok/src', b.digest)));
    const more = await Promise.all(image.blobs.map((b) => client.headBlob('tok/src', b.digest)));
    assert.deepEqual(
      [...heads, ...more],
      [...image.blobs, ...image.blobs].map((b) => b.size),
    );
    assert.equal(registry.tokensIssued() - before, 1);
  });

  it('refreshes a token before it expires, by the client clock', async (t) => {
    let clock = Date.now();
    const client = withClient(t, {
      host: registry.host,
      insecure: true,
      credentials: pushCreds(registry),
      now: () => clock,
    });
    const before = registry.tokensIssued();
    await client.headManifest('tok/src', 'v1');
    await client.headManifest('tok/src', 'v1');
    assert.equal(registry.tokensIssued() - before, 1);
    clock += 115_000; // 120 s token: refreshed 10 s early
    await client.headManifest('tok/src', 'v1');
    assert.equal(registry.tokensIssued() - before, 2);
  });

  it('refuses bad credentials at the token server without leaking them', async (t) => {
    const password = 'not-the-Token-Passw0rd';
    const client = withClient(t, {
      host: registry.host,
      insecure: true,
      credentials: { kind: 'basic', username: 'lifeboat', password },
    });
    await assert.rejects(client.headManifest('tok/src', 'v1'), (err) =>
      assertUnauthorized(err, registry.host, /repository:tok\/src:pull/, [password]),
    );
  });

  it('refuses a push by a pull-only user, naming the push scope', async (t) => {
    assert.ok(registry.readerUsername !== undefined && registry.readerPassword !== undefined);
    const client = withClient(t, {
      host: registry.host,
      insecure: true,
      credentials: { kind: 'basic', username: registry.readerUsername, password: registry.readerPassword },
    });
    assert.ok(await client.headManifest('tok/src', 'v1'), 'the reader may pull');
    const manifest = await client.getManifest('tok/src', 'v1');
    await assert.rejects(client.putManifest('tok/dst', 'v1', manifest), (err) =>
      assertUnauthorized(err, registry.host, /repository:tok\/dst:pull,push/, [
        registry.readerPassword ?? '',
      ]),
    );
  });

  it('logs nothing that contains a credential, even at debug level', async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const creds = pushCreds(registry);
    const client = withClient(t, { host: registry.host, insecure: true, credentials: creds, logger });
    await client.headManifest('tok/src', 'v1');
    const bad = withClient(t, {
      host: registry.host,
      insecure: true,
      credentials: { ...creds, password: 'wrong-secret-x' },
      logger,
    });
    await assert.rejects(bad.headManifest('tok/src', 'v1'), UnauthorizedError);
    const all = lines.join('');
    for (const secret of [creds.password, 'wrong-secret-x']) {
      assert.ok(!all.includes(secret));
      assert.ok(!all.includes(Buffer.from(`${creds.username}:${secret}`).toString('base64')));
    }
  });

  it('authenticates from a docker config.json keychain with an identity token (OAuth POST)', async (t) => {
    const proxy = await startFaultProxy({ upstream: `http://${registry.host}`, rewriteRealm: true });
    t.after(() => proxy.stop());
    const creds = pushCreds(registry);
    // The test token server's refresh tokens are base64url(user:password).
    const identity = Buffer.from(`${creds.username}:${creds.password}`).toString('base64url');
    const keychain = dockerConfigKeychain({
      auths: { [`http://${proxy.host}`]: { identitytoken: identity } },
    });
    const client = withClient(t, { host: proxy.host, insecure: true, keychain });
    const head = await client.headManifest('tok/src', 'v1');
    assert.equal(head?.digest, image.digest);
    assert.equal(proxy.count('POST', '/__token'), 1);
    assert.equal(proxy.count('GET', '/__token'), 0);
  });

  it('re-authenticates on insufficient_scope, adding the scope the registry names', async (t) => {
    const proxy = await startFaultProxy({ upstream: `http://${registry.host}`, rewriteRealm: true });
    t.after(() => proxy.stop());
    const client = withClient(t, { host: proxy.host, insecure: true, credentials: pushCreds(registry) });
    const blob = image.blobs[0];
    assert.ok(blob);
    // The first token for the mount loses the source repository's pull scope on the way.
    const scopesSeen: string[][] = [];
    proxy.addRule({
      path: '/__token',
      times: 1,
      action: {
        kind: 'token-query',
        rewrite: (q) => {
          const kept = q.getAll('scope').filter((s) => !s.startsWith('repository:tok/src:'));
          q.delete('scope');
          for (const s of kept) q.append('scope', s);
          scopesSeen.push(kept);
        },
      },
    });
    assert.equal(await client.mountBlob('tok/mounted', blob.digest, 'tok/src'), true);
    const tokenRequests = proxy.requests.filter((r) => r.path.startsWith('/__token'));
    assert.equal(tokenRequests.length, 2, 'one token, then one with the merged scopes');
    const second = new URL(tokenRequests[1]?.path ?? '', 'http://x').searchParams.getAll('scope');
    assert.ok(
      second.some((s) => s.startsWith('repository:tok/src:')),
      'the source pull scope was requested',
    );
    assert.ok(second.includes('repository:tok/mounted:pull,push'));
    // Learning the challenge, the mount refused for scope, the mount that worked: nothing more.
    assert.equal(proxy.count('POST', '/blobs/uploads/'), 3);
  });

  it('gets a new token when the registry refuses the cached one', async (t) => {
    const proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
    t.after(() => proxy.stop());
    const client = withClient(t, { host: proxy.host, insecure: true, credentials: pushCreds(registry) });
    await client.headManifest('tok/src', 'v1');
    const before = registry.tokensIssued();
    // The registry sees no token (as with an expired one) and answers 401 with a fresh challenge.
    proxy.addRule({ method: 'HEAD', path: '/manifests/', times: 1, action: { kind: 'strip-authorization' } });
    const head = await client.headManifest('tok/src', 'v1');
    assert.equal(head?.digest, image.digest);
    assert.equal(registry.tokensIssued() - before, 1);
  });
});

describe('TLS with a private CA', () => {
  let registry: LocalRegistry;
  let ca: string;
  before(async () => {
    registry = await startRegistry({ auth: 'token', tls: true });
    await pushImage(registry, 'tls/app:v1', { layers: 1, layerSize: 1024 });
    assert.ok(registry.caFile !== undefined);
    ca = readFileSync(registry.caFile, 'utf8');
  });
  after(() => registry?.stop());

  it('reads over https with the registry CA trusted, token realm included', async (t) => {
    const client = withClient(t, { host: registry.host, caPems: [ca], credentials: pushCreds(registry) });
    const head = await client.headManifest('tls/app', 'v1');
    assert.ok(head?.digest.startsWith('sha256:'));
  });

  it('fails with a TlsError that points at --registry-ca when the CA is not trusted', async (t) => {
    const client = withClient(t, { host: registry.host, credentials: pushCreds(registry) });
    await assert.rejects(client.headManifest('tls/app', 'v1'), (err: unknown) => {
      assert.ok(err instanceof TlsError, String(err));
      assert.equal(err.code, 'REGISTRY_TLS');
      assert.equal(err.temporary, false);
      assert.match(err.message, /not trusted/);
      assert.match(err.message, /--registry-ca/);
      return true;
    });
  });
});

describe('plain HTTP registries', () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    await pushImage(registry, 'plain/app:v1', { layers: 1, layerSize: 1024 });
  });
  after(() => registry?.stop());

  it('are refused with InsecureRegistryError unless listed as insecure', async (t) => {
    const client = withClient(t, { host: registry.host, retry: { attempts: 1 } });
    await assert.rejects(client.headManifest('plain/app', 'v1'), (err: unknown) => {
      assert.ok(err instanceof InsecureRegistryError, String(err));
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, 'REGISTRY_INSECURE');
      assert.match(err.message, new RegExp(registry.host));
      assert.match(err.message, /--insecure-registries/);
      return true;
    });
  });

  it('are used over http when listed as insecure', async (t) => {
    const client = withClient(t, { host: registry.host, insecure: true });
    assert.ok(await client.headManifest('plain/app', 'v1'));
  });
});
