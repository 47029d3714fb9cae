import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  parseTokenResponse,
  refreshAfterMs,
  tokenGetRequest,
  tokenOAuthRequest,
} from './token.ts';

test('tokenGetRequest sends one scope parameter per scope and Basic credentials', () => {
  const req = tokenGetRequest(
    { realm: 'https://auth.example/token?x=1', service: 'reg' },
    ['repository:a:pull,push', 'repository:b:pull'],
    { kind: 'basic', username: 'u', password: 'p' },
  );
  const url = new URL(req.url);
  assert.equal(req.method, 'GET');
  assert.equal(url.searchParams.get('x'), '1');
  assert.equal(url.searchParams.get('service'), 'reg');
  assert.deepEqual(url.searchParams.getAll('scope'), ['repository:a:pull,push', 'repository:b:pull']);
  assert.equal(req.headers['authorization'], `Basic ${Buffer.from('u:p').toString('base64')}`);
});

test('tokenGetRequest for anonymous carries no Authorization', () => {
  const req = tokenGetRequest({ realm: 'https://auth.example/token' }, [], { kind: 'anonymous' });
  assert.equal(req.headers['authorization'], undefined);
  assert.equal(new URL(req.url).searchParams.has('service'), false);
});

test('tokenOAuthRequest posts a refresh_token form with space-joined scopes', () => {
  const req = tokenOAuthRequest(
    { realm: 'https://auth.example/token', service: 'reg' },
    ['a:b:pull', 'c:d:push'],
    'rt',
  );
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(req.body);
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('refresh_token'), 'rt');
  assert.equal(form.get('service'), 'reg');
  assert.equal(form.get('scope'), 'a:b:pull c:d:push');
  assert.equal(form.get('client_id'), 'lifeboat');
});

test('parseTokenResponse takes token or access_token and defaults the lifetime to 60 s', () => {
  const table: [unknown, unknown][] = [
    [
      { token: 't', expires_in: 300 },
      { token: 't', lifetimeMs: 300_000, refreshToken: undefined },
    ],
    [{ access_token: 'a' }, { token: 'a', lifetimeMs: DEFAULT_TOKEN_LIFETIME_MS, refreshToken: undefined }],
    [
      { token: '', access_token: 'a', refresh_token: 'r' },
      { token: 'a', lifetimeMs: 60_000, refreshToken: 'r' },
    ],
    [
      { token: 't', expires_in: -5 },
      { token: 't', lifetimeMs: 60_000, refreshToken: undefined },
    ],
    [{ nothing: true }, undefined],
    ['not json', undefined],
  ];
  for (const [body, want] of table) {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    assert.deepEqual(parseTokenResponse(bytes), want, JSON.stringify(body));
  }
});

test('tokens are refreshed 10 s early, or halfway through short lifetimes', () => {
  assert.equal(refreshAfterMs(300_000), 290_000);
  assert.equal(refreshAfterMs(60_000), 50_000);
  assert.equal(refreshAfterMs(4_000), 2_000);
});
