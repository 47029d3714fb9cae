import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnauthorizedError } from '../model/errors.ts';
import { createAuthenticator } from './authenticator.ts';
import type { Credentials } from './credentials.ts';
import type { TokenHttpRequest } from './token.ts';

const BEARER = 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"';

/** A token server double: records requests and hands out numbered tokens. */
function tokenServer(options: { status?: number; expiresIn?: number; oauth404?: boolean } = {}) {
  const requests: TokenHttpRequest[] = [];
  let n = 0;
  const http = (req: TokenHttpRequest) => {
    requests.push(req);
    if (req.method === 'POST' && options.oauth404 === true)
      return Promise.resolve({ status: 404, body: Buffer.alloc(0) });
    n++;
    const body = Buffer.from(
      JSON.stringify({ token: `t${n}`, ...(options.expiresIn ? { expires_in: options.expiresIn } : {}) }),
    );
    return Promise.resolve({ status: options.status ?? 200, body });
  };
  return { http, requests };
}

function setup(credentials: Credentials, server = tokenServer()) {
  let clock = 1_000_000;
  const auth = createAuthenticator({
    registry: 'reg.example',
    credentials,
    http: server.http,
    now: () => clock,
  });
  return { auth, server, advance: (ms: number) => (clock += ms) };
}

const basicCreds: Credentials = { kind: 'basic', username: 'alice', password: 'hunter2-secret' };

test('no Authorization is sent before the registry has challenged', async () => {
  const { auth, server } = setup(basicCreds);
  assert.equal(await auth.authorize(['repository:a:pull']), undefined);
  assert.equal(server.requests.length, 0);
});

test('a Bearer challenge leads to one token per scope set, shared by concurrent requests', async () => {
  const { auth, server } = setup(basicCreds);
  assert.deepEqual(auth.challenged(BEARER, ['repository:a:pull'], undefined), {
    retry: true,
    scopes: ['repository:a:pull'],
  });
  const headers = await Promise.all([1, 2, 3].map(() => auth.authorize(['repository:a:pull'])));
  assert.deepEqual(headers, ['Bearer t1', 'Bearer t1', 'Bearer t1']);
  assert.equal(server.requests.length, 1);
  assert.equal(await auth.authorize(['repository:b:pull']), 'Bearer t2');
  assert.equal(server.requests.length, 2);
});

test('cached tokens are refreshed before they expire', async () => {
  const { auth, server, advance } = setup(basicCreds, tokenServer({ expiresIn: 60 }));
  auth.challenged(BEARER, ['repository:a:pull'], undefined);
  assert.equal(await auth.authorize(['repository:a:pull']), 'Bearer t1');
  advance(49_000);
  assert.equal(await auth.authorize(['repository:a:pull']), 'Bearer t1');
  advance(2_000); // 51 s: inside the 10 s refresh margin
  assert.equal(await auth.authorize(['repository:a:pull']), 'Bearer t2');
  assert.equal(server.requests.length, 2);
});

test('a refused token is dropped and a fresh one fetched', async () => {
  const { auth } = setup(basicCreds);
  auth.challenged(BEARER, ['repository:a:pull'], undefined);
  const first = await auth.authorize(['repository:a:pull']);
  const decision = auth.challenged(`${BEARER},error="invalid_token"`, ['repository:a:pull'], first);
  assert.deepEqual(decision, { retry: true, scopes: ['repository:a:pull'] });
  assert.equal(await auth.authorize(['repository:a:pull']), 'Bearer t2');
});

test('insufficient_scope merges the scopes the registry names, new ones first', async () => {
  const { auth, server } = setup(basicCreds);
  const mine = ['repository:dst:pull,push'];
  auth.challenged(BEARER, mine, undefined);
  const sent = await auth.authorize(mine);
  const decision = auth.challenged(
    'Bearer realm="https://auth.example/token",service="reg",scope="repository:dst:push,pull repository:src:pull",error="insufficient_scope"',
    mine,
    sent,
  );
  assert.deepEqual(decision, {
    retry: true,
    scopes: ['repository:dst:push,pull', 'repository:src:pull', 'repository:dst:pull,push'],
  });
  if (!decision.retry) return;
  await auth.authorize(decision.scopes);
  const last = new URL(server.requests.at(-1)?.url ?? '');
  assert.deepEqual(last.searchParams.getAll('scope'), decision.scopes);
});

test('insufficient_scope with nothing new still retries once with a fresh token', async () => {
  const { auth, server } = setup(basicCreds);
  const mine = ['repository:a:pull'];
  auth.challenged(BEARER, mine, undefined);
  const sent = await auth.authorize(mine);
  const decision = auth.challenged(`${BEARER},error="insufficient_scope"`, mine, sent);
  assert.deepEqual(decision, { retry: true, scopes: mine });
  assert.equal(await auth.authorize(mine), 'Bearer t2');
  assert.equal(server.requests.length, 2);
});

test('Basic challenges are answered with Basic credentials once; a second 401 is final', async () => {
  const { auth } = setup(basicCreds);
  assert.equal(auth.challenged('Basic realm="r"', ['repository:a:pull'], undefined).retry, true);
  const header = await auth.authorize(['repository:a:pull']);
  assert.equal(header, `Basic ${Buffer.from('alice:hunter2-secret').toString('base64')}`);
  const decision = auth.challenged('Basic realm="r"', ['repository:a:pull'], header);
  assert.equal(decision.retry, false);
  if (!decision.retry) {
    assert.match(decision.error.message, /reg\.example/);
    assert.doesNotMatch(decision.error.message, /hunter2-secret/);
    // The message reaches an ImageBackup's status and Events, which every tenant may read.
    assert.doesNotMatch(decision.error.message, /alice/);
  }
});

test('a Basic challenge without credentials is final', () => {
  const { auth } = setup({ kind: 'anonymous' });
  assert.equal(auth.challenged('Basic realm="r"', ['repository:a:pull'], undefined).retry, false);
});

test('a token server refusing credentials gives UnauthorizedError naming registry and scope only', async () => {
  const { auth } = setup(basicCreds, tokenServer({ status: 401 }));
  auth.challenged(BEARER, ['repository:a:pull'], undefined);
  await assert.rejects(auth.authorize(['repository:a:pull']), (err: unknown) => {
    assert.ok(err instanceof UnauthorizedError);
    assert.equal(err.code, 'REGISTRY_UNAUTHORIZED');
    assert.equal(err.scope, 'repository:a:pull');
    assert.match(err.message, /reg\.example/);
    assert.doesNotMatch(err.message, /hunter2-secret/);
    assert.doesNotMatch(err.message, /alice/, 'no user name: the message reaches statuses and Events');
    return true;
  });
});

test('identity tokens use the OAuth form and fall back to GET when the endpoint is missing', async () => {
  const server = tokenServer({ oauth404: true });
  const { auth } = setup({ kind: 'identityToken', token: 'idt' }, server);
  auth.challenged(BEARER, ['repository:a:pull'], undefined);
  assert.equal(await auth.authorize(['repository:a:pull']), 'Bearer t1');
  assert.deepEqual(
    server.requests.map((r) => r.method),
    ['POST', 'GET'],
  );
});

test('a shared token exchange outlives the caller that started it aborting; that caller stops at once', async () => {
  let release: (() => void) | undefined;
  const signals: (AbortSignal | undefined)[] = [];
  const auth = createAuthenticator({
    registry: 'reg.example',
    credentials: { kind: 'anonymous' },
    http: (_req, signal) => {
      signals.push(signal);
      return new Promise((resolve, reject) => {
        release = () => resolve({ status: 200, body: Buffer.from('{"token":"shared"}') });
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    },
  });
  auth.challenged(BEARER, ['repository:a:pull'], undefined);
  const copyA = new AbortController();
  const a = auth.authorize(['repository:a:pull'], copyA.signal);
  const b = auth.authorize(['repository:a:pull'], new AbortController().signal);
  copyA.abort(new Error('copy A failed'));
  await assert.rejects(a, /copy A failed/);
  release?.();
  assert.equal(await b, 'Bearer shared');
  assert.equal(signals.length, 1, 'one exchange for both');
});
