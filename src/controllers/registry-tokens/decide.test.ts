import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namespacePassword } from '../api/namespace-credential.ts';
import {
  authenticate,
  decideGrant,
  repositoryOfTarget,
  type BackupAccess,
  type Identities,
  type Identity,
} from './decide.ts';
import type { Scope } from './request.ts';

const KEY = new Uint8Array(32).fill(7);
const IDS: Identities = { pullKey: KEY, pusher: { username: 'lifeboat', password: 'push-pw' } };
const A: Identity = { kind: 'namespace', namespace: 'team-a', username: 'lifeboat-ns-team-a' };
const B: Identity = { kind: 'namespace', namespace: 'team-b', username: 'lifeboat-ns-team-b' };
const LIFEBOAT: Identity = { kind: 'lifeboat', username: 'lifeboat' };
const ANON: Identity = { kind: 'anonymous' };

describe('authenticate', () => {
  const cases: [
    string,
    { username: string; password: string } | undefined,
    Identities,
    Identity | 'refused',
  ][] = [
    ['no credentials: anonymous', undefined, IDS, ANON],
    ['the push user with its password', { username: 'lifeboat', password: 'push-pw' }, IDS, LIFEBOAT],
    ['the push user with another password', { username: 'lifeboat', password: 'push-pw2' }, IDS, 'refused'],
    [
      'a namespace user with its password',
      { username: 'lifeboat-ns-team-a', password: namespacePassword(KEY, 'team-a') },
      IDS,
      A,
    ],
    [
      "namespace B presenting A's user with B's password",
      { username: 'lifeboat-ns-team-a', password: namespacePassword(KEY, 'team-b') },
      IDS,
      'refused',
    ],
    [
      'a namespace password under an old key',
      { username: 'lifeboat-ns-team-a', password: namespacePassword(new Uint8Array(32).fill(8), 'team-a') },
      IDS,
      'refused',
    ],
    [
      'a namespace user while there is no key',
      { username: 'lifeboat-ns-team-a', password: namespacePassword(KEY, 'team-a') },
      { pullKey: undefined, pusher: IDS.pusher },
      'refused',
    ],
    [
      'the push user while there is no push Secret',
      { username: 'lifeboat', password: 'push-pw' },
      { pullKey: KEY, pusher: undefined },
      'refused',
    ],
    ['an unknown user', { username: 'admin', password: 'admin' }, IDS, 'refused'],
    ['an empty user name with a password', { username: '', password: 'push-pw' }, IDS, 'refused'],
  ];
  for (const [what, credentials, ids, expected] of cases) {
    it(what, () => assert.deepEqual(authenticate(credentials, ids), expected));
  }
});

describe('decideGrant', () => {
  const PUBLIC: BackupAccess = { private: false, readers: [] };
  const PRIVATE_A: BackupAccess = { private: true, readers: ['team-a'] };
  const PRIVATE_NONE: BackupAccess = { private: true, readers: [] };
  const repos: Record<string, readonly BackupAccess[]> = {
    'lifeboat/public': [PUBLIC],
    'lifeboat/private-a': [PRIVATE_A],
    'lifeboat/mixed': [PUBLIC, PRIVATE_A],
    'lifeboat/private-none': [PRIVATE_NONE],
    'lifeboat/closed-by-one': [PRIVATE_A, PRIVATE_NONE],
  };
  const backupsIn = (r: string) => repos[r] ?? [];
  const scope = (name: string, ...actions: string[]): Scope => ({ type: 'repository', name, actions });
  const cases: [string, Identity, Scope[], { name: string; actions: string[] }[]][] = [
    [
      'a public backup: pull to every namespace',
      B,
      [scope('lifeboat/public', 'pull')],
      [{ name: 'lifeboat/public', actions: ['pull'] }],
    ],
    [
      "A's private backup: pull to A",
      A,
      [scope('lifeboat/private-a', 'pull')],
      [{ name: 'lifeboat/private-a', actions: ['pull'] }],
    ],
    ["A's private backup: nothing to B", B, [scope('lifeboat/private-a', 'pull')], []],
    ['a private backup with no readers: nothing to anyone', A, [scope('lifeboat/private-none', 'pull')], []],
    ['one private backup closes its repository to non-readers', B, [scope('lifeboat/mixed', 'pull')], []],
    [
      'a repository is open only when every backup in it is',
      A,
      [scope('lifeboat/closed-by-one', 'pull')],
      [],
    ],
    ['a repository with no backup: nothing', A, [scope('lifeboat/unknown', 'pull')], []],
    [
      'push is never granted to a namespace',
      A,
      [scope('lifeboat/public', 'pull', 'push')],
      [{ name: 'lifeboat/public', actions: ['pull'] }],
    ],
    ['delete and * are never granted to a namespace', A, [scope('lifeboat/public', 'delete', '*')], []],
    ['anonymous gets nothing, even on a public backup', ANON, [scope('lifeboat/public', 'pull')], []],
    [
      'lifeboat gets pull and push anywhere',
      LIFEBOAT,
      [scope('lifeboat/private-none', 'pull', 'push'), scope('lifeboat/new', 'push')],
      [
        { name: 'lifeboat/private-none', actions: ['pull', 'push'] },
        { name: 'lifeboat/new', actions: ['push'] },
      ],
    ],
    ['lifeboat gets no delete nor *', LIFEBOAT, [scope('lifeboat/public', 'delete', '*')], []],
    [
      'other resource types are never granted',
      LIFEBOAT,
      [
        { type: 'registry', name: 'catalog', actions: ['*'] },
        { type: 'repository(plugin)', name: 'lifeboat/public', actions: ['pull'] },
      ],
      [],
    ],
    [
      'each scope decided on its own',
      A,
      [scope('lifeboat/private-a', 'pull'), scope('lifeboat/private-none', 'pull')],
      [{ name: 'lifeboat/private-a', actions: ['pull'] }],
    ],
  ];
  for (const [what, identity, scopes, expected] of cases) {
    it(what, () =>
      assert.deepEqual(
        decideGrant(identity, scopes, backupsIn),
        expected.map((e) => ({ type: 'repository', ...e })),
      ),
    );
  }
});

describe('repositoryOfTarget', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1:5000/lifeboat/docker.io/library/nginx:1.25', 'lifeboat/docker.io/library/nginx'],
    [`127.0.0.1:5000/lifeboat/app@sha256:${'a'.repeat(64)}`, 'lifeboat/app'],
    ['other.example:5000/lifeboat/app:1', undefined],
    ['not a reference', undefined],
  ];
  for (const [target, repository] of cases) {
    it(`${target} → ${String(repository)}`, () =>
      assert.equal(repositoryOfTarget(target, '127.0.0.1:5000'), repository));
  }
});
