import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseScope, parseTokenRequest, TokenRequestError, type RawTokenRequest } from './request.ts';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('token request parser', () => {
  it('reads a GET with Basic credentials and repeated scopes', () => {
    const got = parseTokenRequest({
      method: 'GET',
      url: '/token?service=backup&scope=repository:team/app:pull,push&scope=repository:base/img:pull&account=x',
      authorization: basic('lifeboat-ns-a', 'p:w'),
    });
    assert.deepEqual(got, {
      service: 'backup',
      scopes: [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'base/img', actions: ['pull'] },
      ],
      credentials: { username: 'lifeboat-ns-a', password: 'p:w' },
      form: 'get',
    });
  });

  it('reads the OAuth2 password form containerd posts, scopes space-separated', () => {
    const body = new URLSearchParams({
      grant_type: 'password',
      username: 'u',
      password: 'p',
      service: 'backup',
      client_id: 'containerd',
      scope: 'repository:a/b:pull repository:c:pull',
    }).toString();
    const got = parseTokenRequest({ method: 'POST', url: '/token', body });
    assert.ok(!(got instanceof TokenRequestError));
    assert.deepEqual(got.credentials, { username: 'u', password: 'p' });
    assert.deepEqual(
      got.scopes.map((s) => s.name),
      ['a/b', 'c'],
    );
    assert.equal(got.form, 'oauth');
  });

  it('reads no credentials as anonymous, and no scope as an empty list', () => {
    const got = parseTokenRequest({ method: 'GET', url: '/token?service=backup' });
    assert.deepEqual(got, { service: 'backup', scopes: [], credentials: undefined, form: 'get' });
  });

  const scopes: [string, ReturnType<typeof parseScope>][] = [
    ['repository:app:pull', { type: 'repository', name: 'app', actions: ['pull'] }],
    [
      'repository:a/b-c/d_e.f:pull,pull,push',
      { type: 'repository', name: 'a/b-c/d_e.f', actions: ['pull', 'push'] },
    ],
    ['repository:app:*', { type: 'repository', name: 'app', actions: ['*'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    ['repository(plugin):app:pull', { type: 'repository(plugin)', name: 'app', actions: ['pull'] }],
    ['repository:App:pull', undefined],
    ['repository:host:5000/app:pull', undefined],
    ['repository:/app:pull', undefined],
    ['repository:app/:pull', undefined],
    ['repository:a--:pull', undefined],
    ['repository::pull', undefined],
    ['repository:app', undefined],
    [':app:pull', undefined],
    ['repository:app:PULL', undefined],
    ['repository:app:', undefined],
    [`repository:${'a'.repeat(256)}:pull`, undefined],
    ['repository:app:a,b,c,d,e,f,g,h,i', undefined],
  ];
  for (const [text, expected] of scopes) {
    it(`scope ${JSON.stringify(text.slice(0, 40))} → ${expected ? 'read' : 'refused'}`, () =>
      assert.deepEqual(parseScope(text), expected));
  }

  const refusals: [string, RawTokenRequest, string][] = [
    ['a path other than /token', { method: 'GET', url: '/v2/token' }, 'path'],
    ['PUT', { method: 'PUT', url: '/token' }, 'method'],
    [
      'a refresh-token grant',
      { method: 'POST', url: '/token', body: 'grant_type=refresh_token' },
      'grant-type',
    ],
    ['Bearer authorization', { method: 'GET', url: '/token', authorization: 'Bearer x' }, 'authorization'],
    [
      'Basic without a colon',
      { method: 'GET', url: '/token', authorization: `Basic ${btoa('user')}` },
      'authorization',
    ],
    ['a malformed scope', { method: 'GET', url: '/token?scope=repository:Bad:pull' }, 'scope'],
    [
      '17 scopes',
      { method: 'GET', url: `/token?${'scope=repository:a:pull&'.repeat(17)}` },
      'too-many-scopes',
    ],
    ['a 9 KiB URL', { method: 'GET', url: `/token?x=${'a'.repeat(9000)}` }, 'too-long'],
  ];
  for (const [what, raw, problem] of refusals) {
    it(`refuses ${what} (${problem})`, () => {
      const got = parseTokenRequest(raw);
      assert.ok(got instanceof TokenRequestError);
      assert.equal(got.problem, problem);
      assert.equal(got.code, 'TOKEN_REQUEST_INVALID');
    });
  }

  it('never echoes a password in an error', () => {
    const got = parseTokenRequest({
      method: 'GET',
      url: '/token?scope=bad',
      authorization: basic('lifeboat-ns-a', 'SECRET-PASSWORD'),
    });
    assert.ok(got instanceof TokenRequestError);
    assert.doesNotMatch(got.message, /SECRET-PASSWORD/);
  });

  it('fuzz: any input yields a request or a TokenRequestError, in bounded time', () => {
    const scopeLike = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(
          fc.constantFrom('repository', 'registry', 'repository(plugin)', 'x', ''),
          fc.stringMatching(/^[a-z0-9._/:-]{0,80}$/),
          fc.stringMatching(/^[a-z*,]{0,40}$/),
        )
        .map(([t, n, a]) => `${t}:${n}:${a}`),
    );
    const raw = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'get', ''),
      url: fc.oneof(
        fc.string({ maxLength: 600 }),
        fc
          .array(scopeLike, { maxLength: 20 })
          .map((ss) => `/token?service=s&${ss.map((s) => `scope=${encodeURIComponent(s)}`).join('&')}`),
        fc.string({ maxLength: 10_000 }).map((s) => `/token?${s}`),
      ),
      authorization: fc.option(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.tuple(fc.string(), fc.string()).map(([u, p]) => basic(u, p)),
          fc.string().map((s) => `Basic ${s}`),
        ),
        { nil: undefined },
      ),
      body: fc.option(
        fc.oneof(
          fc.string({ maxLength: 600 }),
          fc
            .array(scopeLike, { maxLength: 20 })
            .map(
              (ss) => `grant_type=password&username=u&password=p&scope=${encodeURIComponent(ss.join(' '))}`,
            ),
        ),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(raw, (r) => {
        // Bounded time is the caps' doing (MAX_REQUEST_CHARS, linear grammars): a hang here would
        // stall the run past the test timeout; no clock is read.
        let got: unknown;
        assert.doesNotThrow(() => (got = parseTokenRequest(r)));
        if (got instanceof TokenRequestError) return;
        const request = got as Exclude<ReturnType<typeof parseTokenRequest>, TokenRequestError>;
        assert.ok(request.scopes.length <= 16);
        for (const s of request.scopes) assert.ok(s.actions.length > 0 && s.actions.length <= 8);
      }),
      { numRuns: 2000 },
    );
  });
});
