import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, selectChallenge } from './challenge.ts';

test('parseChallenges reads schemes and parameters, quoted values with commas and escapes', () => {
  const table: { header: string | string[]; want: { scheme: string; params: Record<string, string> }[] }[] = [
    {
      header: 'Basic realm="Registry Realm"',
      want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
    },
    {
      header:
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      want: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:samalba/my-app:pull,push',
          },
        },
      ],
    },
    {
      header:
        'Bearer realm="http://127.0.0.1:5000/token",scope="repository:a:push,pull repository:b:pull",error="insufficient_scope"',
      want: [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:5000/token',
            scope: 'repository:a:push,pull repository:b:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    },
    {
      header: 'Basic realm="a, b", Bearer realm="https://t/x", service=svc',
      want: [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://t/x', service: 'svc' } },
      ],
    },
    {
      header: 'BEARER Realm=https://t.example/token , Service="s"',
      want: [{ scheme: 'bearer', params: { realm: 'https://t.example/token', service: 's' } }],
    },
    {
      header: 'Bearer realm="quote \\" inside"',
      want: [{ scheme: 'bearer', params: { realm: 'quote " inside' } }],
    },
    {
      header: 'Negotiate abc123==, Basic realm="r"',
      want: [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    },
    {
      header: ['Basic realm="one"', 'Bearer realm="https://two/"'],
      want: [
        { scheme: 'basic', params: { realm: 'one' } },
        { scheme: 'bearer', params: { realm: 'https://two/' } },
      ],
    },
    { header: '', want: [] },
  ];
  for (const { header, want } of table) {
    assert.deepEqual(parseChallenges(header), want, JSON.stringify(header));
  }
});

test('selectChallenge prefers Bearer, splits its scopes, and reports no challenge as open', () => {
  assert.deepEqual(
    selectChallenge(parseChallenges('Basic realm="r", Bearer realm="https://t",scope="a:b:pull c:d:push"')),
    {
      kind: 'bearer',
      realm: 'https://t',
      service: undefined,
      scopes: ['a:b:pull', 'c:d:push'],
      error: undefined,
    },
  );
  assert.deepEqual(selectChallenge(parseChallenges('Basic realm="r"')), { kind: 'basic', realm: 'r' });
  assert.deepEqual(selectChallenge(parseChallenges(undefined)), { kind: 'none' });
  assert.deepEqual(selectChallenge(parseChallenges('Bearer service="no-realm"')), { kind: 'none' });
});
