import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { ClosableRegistryClient } from '../model/types.ts';
import type { RegistryClient } from '../model/types.ts';
import { CredentialPool, CredentialPoolClosedError, type DockerConfigSecret } from './credential-pool.ts';
import { describeCredentials, type Credentials } from './credentials.ts';

const SECRET = 'hunter2-SECRET';

interface FakeClient {
  readonly host: string;
  readonly login: string;
  closed: boolean;
}

/** A pool over fake clients that record their host, login and whether they were closed. */
function fakePool(): { pool: CredentialPool; made: FakeClient[] } {
  const made: FakeClient[] = [];
  const pool = new CredentialPool({
    createClient(host: string, credentials: Credentials) {
      const fake: FakeClient = {
        host,
        login:
          credentials.kind === 'basic' ? `${credentials.username}:${credentials.password}` : credentials.kind,
        closed: false,
      };
      made.push(fake);
      return Object.assign(fake, {
        close: () => {
          fake.closed = true;
          return Promise.resolve();
        },
      }) as unknown as ClosableRegistryClient;
    },
  });
  return { pool, made };
}

function secret(name: string, auths: Record<string, [string, string]>): DockerConfigSecret {
  const entries = Object.entries(auths).map(([key, [username, password]]): [string, object] => [
    key,
    { username, password },
  ]);
  return { name, data: JSON.stringify({ auths: Object.fromEntries(entries) }) };
}

/** The fake behind a RegistryClient handed out by `use`. */
const fakeOf = (client: RegistryClient): FakeClient => client as unknown as FakeClient;

test('choices come in the order of the tiers, anonymous last, each leasing a client of its login', async () => {
  const { pool } = fakePool();
  const pod = secret('ns/pod', { 'quay.io/team': ['pod', 'pw1'] });
  const fallback = secret('lifeboat/hub', { 'quay.io': ['fb', 'pw2'] });
  const { choices, errors } = pool.resolve({ domain: 'quay.io', path: 'team/app' }, [[pod], [fallback]]);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    choices.map((c) => [c.source, c.key, c.anonymous]),
    [
      ['Secret ns/pod', 'quay.io/team', false],
      ['Secret lifeboat/hub', 'quay.io', false],
      ['anonymous', undefined, true],
    ],
  );
  const logins = [];
  for (const choice of choices) logins.push(await choice.use((c) => Promise.resolve(fakeOf(c).login)));
  assert.deepEqual(logins, ['pod:pw1', 'fb:pw2', 'anonymous']);
});

test('one client per host and login, shared by every image and Secret that resolves to it', async () => {
  const { pool, made } = fakePool();
  const a = secret('ns/a', { 'quay.io': ['u', 'pw'] });
  const b = secret('ns/b', { 'quay.io/team': ['u', 'pw'], 'ghcr.io': ['u', 'pw'] });
  const first = (domain: string, path: string, tiers: DockerConfigSecret[][]) =>
    pool.resolve({ domain, path }, tiers).choices[0]!.use((c) => Promise.resolve(fakeOf(c)));
  const c1 = await first('quay.io', 'team/app', [[a]]);
  const c2 = await first('quay.io', 'other/app', [[a]]);
  const c3 = await first('quay.io', 'team/app', [[b]]);
  const c4 = await first('ghcr.io', 'o/a', [[b]]);
  assert.equal(c1, c2);
  assert.equal(c1, c3, 'the same login from another Secret shares the client and its tokens');
  assert.notEqual(c1, c4, 'another host has its own client');
  assert.deepEqual(
    made.map((m) => m.host),
    ['quay.io', 'ghcr.io'],
  );
  await pool.close();
  assert.ok(made.every((m) => m.closed));
});

test('a rotated Secret retires the clients of credentials it no longer holds, and only those', async () => {
  const { pool, made } = fakePool();
  const image = { domain: 'quay.io', path: 'team/app' };
  const login = async (s: DockerConfigSecret): Promise<FakeClient> =>
    pool.resolve(image, [[s]]).choices[0]!.use((c) => Promise.resolve(fakeOf(c)));
  const v1 = secret('ns/creds', { 'quay.io': ['u', 'old'], 'ghcr.io': ['g', 'keep'] });
  const oldQuay = await login(v1);
  const ghcr = await pool
    .resolve({ domain: 'ghcr.io', path: 'o/a' }, [[v1]])
    .choices[0]!.use((c) => Promise.resolve(fakeOf(c)));
  assert.equal(await login(v1), oldQuay, 'same content: same client');

  const v2 = secret('ns/creds', { 'quay.io': ['u', 'new'], 'ghcr.io': ['g', 'keep'] });
  const newQuay = await login(v2);
  assert.notEqual(newQuay, oldQuay);
  assert.equal(newQuay.login, 'u:new');
  assert.equal(oldQuay.closed, true, 'the old login is closed, its tokens with it');
  assert.equal(ghcr.closed, false, 'a login the rotation kept stays pooled');
  assert.equal(made.length, 3);
});

test('a client retired while leased is closed when its last lease ends', async () => {
  const { pool } = fakePool();
  const image = { domain: 'quay.io', path: 'a' };
  const choice = pool.resolve(image, [[secret('ns/s', { 'quay.io': ['u', 'v1'] })]]).choices[0]!;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let leased: FakeClient | undefined;
  const copy = choice.use(async (c) => {
    leased = fakeOf(c);
    await held;
    return fakeOf(c).closed;
  });
  await Promise.resolve();
  pool.resolve(image, [[secret('ns/s', { 'quay.io': ['u', 'v2'] })]]);
  assert.equal(leased?.closed, false, 'in use: not closed under the copy');
  release();
  assert.equal(await copy, false, 'open for the whole lease');
  assert.equal(leased?.closed, true, 'closed once the lease ended');
});

test('a choice resolved before a rotation still works, with a client closed after its use', async () => {
  const { pool } = fakePool();
  const image = { domain: 'quay.io', path: 'a' };
  const stale = pool.resolve(image, [[secret('ns/s', { 'quay.io': ['u', 'v1'] })]]).choices[0]!;
  pool.resolve(image, [[secret('ns/s', { 'quay.io': ['u', 'v2'] })]]);
  const used = await stale.use((c) => Promise.resolve(fakeOf(c)));
  assert.equal(used.login, 'u:v1');
  assert.equal(used.closed, true, 'not pooled: closed after its one use');
  const fresh = await pool
    .resolve(image, [[secret('ns/s', { 'quay.io': ['u', 'v2'] })]])
    .choices[0]!.use((c) => Promise.resolve(fakeOf(c)));
  assert.equal(fresh.login, 'u:v2');
  assert.equal(fresh.closed, false);
});

test('forget drops a deleted Secret and closes the clients no other Secret backs', async () => {
  const { pool } = fakePool();
  const image = { domain: 'quay.io', path: 'a' };
  const a = secret('ns/a', { 'quay.io': ['u', 'shared'] });
  const b = secret('ns/b', { 'quay.io': ['u', 'shared'] });
  const c = secret('ns/c', { 'quay.io': ['c', 'own'] });
  const use = (s: DockerConfigSecret) =>
    pool.resolve(image, [[s]]).choices[0]!.use((client) => Promise.resolve(fakeOf(client)));
  const shared = await use(a);
  await use(b);
  const own = await use(c);
  pool.forget('ns/a');
  assert.equal(shared.closed, false, 'ns/b still holds the login');
  pool.forget('ns/b');
  assert.equal(shared.closed, true);
  assert.equal(own.closed, false);
  pool.forget('ns/unknown');
  assert.equal(own.closed, false);
});

test('an unreadable Secret is reported, named and redacted, and the others still resolve', () => {
  const { pool } = fakePool();
  const bad = { name: 'ns/bad', data: `{"auths": {"quay.io": {"auth": "${SECRET}` };
  const good = secret('ns/good', { 'quay.io': ['u', 'pw'] });
  const { choices, errors } = pool.resolve({ domain: 'quay.io', path: 'a' }, [[bad, good]]);
  assert.deepEqual(
    choices.map((c) => c.source),
    ['Secret ns/good', 'anonymous'],
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^Secret ns\/bad: \.dockerconfigjson is not valid JSON$/);
  assert.equal(errors[0]!.temporary, false);
  // Cached per content: the same bad data gives the same error without a new parse.
  assert.equal(pool.resolve({ domain: 'quay.io', path: 'a' }, [[bad]]).errors[0], errors[0]);
});

test('the pool and its choices print Secret names and keys, never credentials', async () => {
  const { pool } = fakePool();
  const s = secret('ns/creds', { 'quay.io': ['robot', SECRET] });
  const { choices } = pool.resolve({ domain: 'quay.io', path: 'a' }, [[s]]);
  await choices[0]!.use(() => Promise.resolve());
  for (const value of [pool, choices[0], choices, { choices }] as unknown[]) {
    const text = [String(value), inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value)].join(
      '\n',
    );
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /ns\/creds/);
  }
  assert.equal(
    describeCredentials({ kind: 'basic', username: 'robot', password: SECRET }),
    'user and password',
  );
});

test('a closed pool closes its clients and refuses new leases', async () => {
  const { pool, made } = fakePool();
  const { choices } = pool.resolve({ domain: 'quay.io', path: 'a' }, []);
  await choices[0]!.use(() => Promise.resolve());
  await pool.close();
  assert.equal(made[0]?.closed, true);
  await assert.rejects(
    choices[0]!.use(() => Promise.resolve()),
    (err: unknown) => err instanceof CredentialPoolClosedError && err.temporary,
  );
});
