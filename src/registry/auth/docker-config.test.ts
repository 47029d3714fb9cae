import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CredentialsParseError } from './credentials.ts';
import {
  dockerConfigKeychain,
  loadDefaultKeychain,
  loadDockerConfigKeychain,
  normalizeRegistryKey,
} from './docker-config.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('normalizeRegistryKey maps every spelling of a registry to its bare host', () => {
  const table: [string, string][] = [
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://localhost:5000', 'localhost:5000'],
    ['https://Quay.IO/v2/', 'quay.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['ghcr.io/some/path', 'ghcr.io'],
  ];
  for (const [key, want] of table) assert.equal(normalizeRegistryKey(key), want, key);
});

test('dockerConfigKeychain resolves auth, username/password and identity tokens across key forms', () => {
  const keychain = dockerConfigKeychain({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
      'http://127.0.0.1:5000': { username: 'local', password: 'pw' },
      'ghcr.io': { identitytoken: 'refresh-me', auth: b64('ghuser:ignored') },
      'empty.example': {},
    },
  });
  const table: [string, unknown][] = [
    ['docker.io', { kind: 'basic', username: 'hubuser', password: 'hub:pass' }],
    ['index.docker.io', { kind: 'basic', username: 'hubuser', password: 'hub:pass' }],
    ['127.0.0.1:5000', { kind: 'basic', username: 'local', password: 'pw' }],
    ['127.0.0.1:5001', { kind: 'anonymous' }],
    ['ghcr.io', { kind: 'identityToken', token: 'refresh-me', username: 'ghuser' }],
    ['empty.example', { kind: 'anonymous' }],
    ['unknown.example', { kind: 'anonymous' }],
  ];
  for (const [registry, want] of table) assert.deepEqual(keychain.resolve(registry), want, registry);
});

test('an exact host key wins over a URL spelling of the same host', () => {
  const keychain = dockerConfigKeychain({
    auths: { 'https://r.example/v1/': { auth: b64('url:form') }, 'r.example': { auth: b64('exact:form') } },
  });
  assert.deepEqual(keychain.resolve('r.example'), { kind: 'basic', username: 'exact', password: 'form' });
});

test('a malformed auth entry is refused naming the key, not the secret', () => {
  assert.throws(
    () => dockerConfigKeychain({ auths: { 'bad.example': { auth: b64('no-colon-secret') } } }),
    (err: unknown) =>
      err instanceof CredentialsParseError &&
      /bad\.example/.test(err.message) &&
      !err.message.includes('no-colon-secret'),
  );
});

test('configs without auths resolve everything to anonymous', () => {
  for (const config of [{}, null, { auths: 'x' }, { credsStore: 'desktop' }]) {
    assert.deepEqual(dockerConfigKeychain(config).resolve('docker.io'), { kind: 'anonymous' });
  }
});

test('loadDockerConfigKeychain reads a file and reports unreadable or invalid ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-dockercfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'config.json');
  writeFileSync(good, JSON.stringify({ auths: { 'r.example': { auth: b64('a:b') } } }));
  const keychain = await loadDockerConfigKeychain(good);
  assert.deepEqual(keychain.resolve('r.example'), { kind: 'basic', username: 'a', password: 'b' });
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{not json');
  await assert.rejects(loadDockerConfigKeychain(bad), /not valid JSON/);
  await assert.rejects(loadDockerConfigKeychain(join(dir, 'missing.json')), /cannot read auth file/);
});

test('an auth that is not base64 is refused even in a config.json, naming the key only', () => {
  for (const auth of ['secret-value!', 'dXNlcjpwdw']) {
    assert.throws(
      () => dockerConfigKeychain({ auths: { 'r.example': { auth } } }),
      (err: unknown) =>
        err instanceof CredentialsParseError &&
        /"r\.example": "auth" is not base64/.test(err.message) &&
        !err.message.includes(auth),
    );
  }
});

test('a config.json is lenient where a pull Secret is strict: odd entries and fields are skipped', () => {
  const keychain = dockerConfigKeychain({
    auths: {
      'a.example': 'not an object',
      'b.example': { username: 42, password: 'pw' },
      'c.example': { auth: null },
    },
  });
  assert.deepEqual(keychain.resolve('a.example'), { kind: 'anonymous' });
  assert.deepEqual(keychain.resolve('b.example'), { kind: 'basic', username: '', password: 'pw' });
  assert.deepEqual(keychain.resolve('c.example'), { kind: 'anonymous' });
});

test('loadDefaultKeychain finds the auth file as skopeo and docker do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-default-auth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, user: string): string => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ auths: { 'r.example': { auth: b64(`${user}:pw`) } } }));
    return path;
  };
  const explicit = write('explicit.json', 'explicit');
  const registryAuthFile = write('registry-auth.json', 'registry-auth-file');
  write('docker-config/config.json', 'docker-config');
  write('home/.docker/config.json', 'home');
  const dockerConfig = join(dir, 'docker-config');
  const home = join(dir, 'home');
  const table: [options: Parameters<typeof loadDefaultKeychain>[0], user: string | undefined][] = [
    [{ authfile: explicit, env: { REGISTRY_AUTH_FILE: registryAuthFile }, home }, 'explicit'],
    [
      { env: { REGISTRY_AUTH_FILE: registryAuthFile, DOCKER_CONFIG: dockerConfig }, home },
      'registry-auth-file',
    ],
    [{ env: { REGISTRY_AUTH_FILE: '', DOCKER_CONFIG: dockerConfig }, home }, 'docker-config'],
    [{ env: { DOCKER_CONFIG: '' }, home }, 'home'],
    [{ env: {}, home: join(dir, 'nowhere') }, undefined],
    [{ env: { DOCKER_CONFIG: join(dir, 'nowhere') }, home }, undefined],
  ];
  for (const [options, user] of table) {
    const keychain = await loadDefaultKeychain(options);
    const got = keychain?.resolve('r.example');
    assert.equal(got?.kind === 'basic' ? got.username : got?.kind, user, JSON.stringify(options));
  }
  await assert.rejects(
    loadDefaultKeychain({ authfile: join(dir, 'missing.json'), env: {}, home }),
    /cannot read auth file/,
  );
});
