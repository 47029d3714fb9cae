import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { LifeboatError } from '../../common/errors.ts';
import { formatDockerConfigJson, InvalidDockerConfigError, parseDockerConfigJson } from './pull-secret.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const SECRET = 'pa55-SECRET-word';

/** Every way an object can be printed. */
function printed(value: unknown): string {
  return [String(value), `${inspect(value, { depth: 10, showHidden: true })}`, JSON.stringify(value)].join(
    '\n',
  );
}

test('parseDockerConfigJson reads auth, username/password and identity tokens, from a string or bytes', () => {
  const data = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: b64(`hub:${SECRET}`) },
      'quay.io/team': { username: 'robot', password: SECRET },
      'ghcr.io': { identitytoken: SECRET },
      'empty.example': {},
    },
  });
  for (const input of [data, new TextEncoder().encode(data)]) {
    const doc = parseDockerConfigJson('Secret ns/creds', input);
    assert.equal(doc.source, 'Secret ns/creds');
    assert.deepEqual(doc.keys, ['quay.io/team', 'ghcr.io', 'docker.io']);
    assert.deepEqual(
      doc.matches('docker.io', 'library/nginx').map((m) => m.credentials),
      [{ kind: 'basic', username: 'hub', password: SECRET }],
    );
    assert.deepEqual(
      doc.matches('quay.io', 'team/app').map((m) => [m.key, m.credentials]),
      [['quay.io/team', { kind: 'basic', username: 'robot', password: SECRET }]],
    );
    assert.deepEqual(doc.matches('quay.io', 'other/app'), []);
    assert.deepEqual(
      doc.matches('ghcr.io', 'o/a').map((m) => m.credentials),
      [{ kind: 'identityToken', token: SECRET, username: undefined }],
    );
  }
});

test('a parsed document prints its source and keys, never a credential', () => {
  const doc = parseDockerConfigJson(
    'Secret ns/creds',
    JSON.stringify({ auths: { 'r.example': { username: 'u', password: SECRET, auth: b64(`u:${SECRET}`) } } }),
  );
  const text = printed(doc);
  assert.match(text, /Secret ns\/creds/);
  assert.match(text, /r\.example/);
  assert.ok(!text.includes(SECRET), text);
  assert.ok(!text.includes(b64(`u:${SECRET}`)), text);
});

test('parseDockerConfigJson refuses bad documents with a permanent error naming the Secret, not its data', () => {
  const table: [data: string, problem: RegExp][] = [
    [`{"auths": {"r.example": {"auth": "${SECRET}`, /is not valid JSON/],
    [`not json ${SECRET}`, /is not valid JSON/],
    [JSON.stringify([SECRET]), /is not a JSON object/],
    [JSON.stringify(SECRET), /is not a JSON object/],
    [JSON.stringify({ credsStore: SECRET }), /has no "auths" object/],
    [JSON.stringify({ auths: [SECRET] }), /has no "auths" object/],
    [
      JSON.stringify({ auths: { 'r.example': { auth: `${SECRET}!` } } }),
      /entry "r\.example": "auth" is not base64/,
    ],
    [JSON.stringify({ auths: { 'r.example': { auth: 'dXNlcjpwdw' } } }), /"auth" is not base64/],
    [JSON.stringify({ auths: { 'r.example': { auth: b64(SECRET) } } }), /entry "r\.example": invalid "auth"/],
    [JSON.stringify({ auths: { 'r.example': SECRET } }), /entry "r\.example" is not an object/],
    [
      JSON.stringify({ auths: { 'r.example': { password: 42, username: SECRET } } }),
      /"password" is not a string/,
    ],
  ];
  for (const [data, problem] of table) {
    assert.throws(
      () => parseDockerConfigJson('Secret team-a/pull', data),
      (err: unknown) => {
        assert.ok(err instanceof InvalidDockerConfigError, data);
        assert.ok(err instanceof LifeboatError);
        assert.equal(err.code, 'DOCKER_CONFIG_INVALID');
        assert.equal(err.temporary, false);
        assert.equal(err.source, 'Secret team-a/pull');
        assert.match(err.message, /^Secret team-a\/pull: \.dockerconfigjson /);
        assert.match(err.message, problem, data);
        assert.equal(err.cause, undefined);
        const text = [printed(err), err.stack ?? ''].join('\n');
        assert.ok(!text.includes(SECRET), text);
        return true;
      },
    );
  }
});

test('keys the kubelet skips are skipped, the rest of the document is kept', () => {
  const doc = parseDockerConfigJson(
    'Secret ns/x',
    JSON.stringify({ auths: { 'ftp://r.example': { auth: b64('a:b') }, 'q.example': { auth: b64('c:d') } } }),
  );
  assert.deepEqual(doc.keys, ['q.example']);
});

test('formatDockerConfigJson writes what kubectl writes, and parses back to the same logins', () => {
  const text = formatDockerConfigJson([
    { registry: 'backup.example.com:5000', username: 'reader', password: 'p:w' },
    { registry: 'quay.io/team', username: 'robot', password: SECRET },
  ]);
  assert.deepEqual(JSON.parse(text), {
    auths: {
      'backup.example.com:5000': { username: 'reader', password: 'p:w', auth: b64('reader:p:w') },
      'quay.io/team': { username: 'robot', password: SECRET, auth: b64(`robot:${SECRET}`) },
    },
  });
  const doc = parseDockerConfigJson('Secret ns/written', text);
  assert.deepEqual(
    doc.matches('backup.example.com:5000', 'lifeboat/x').map((m) => m.credentials),
    [{ kind: 'basic', username: 'reader', password: 'p:w' }],
  );
  assert.equal(formatDockerConfigJson([]), '{"auths":{}}');
});

test('formatDockerConfigJson refuses logins it could not write faithfully, without echoing a password', () => {
  const table: [registry: string, username: string, problem: RegExp][] = [
    ['r.example', 'user:name', /cannot contain ":"/],
    ['ftp://r.example', 'u', /is not a registry host/],
    ['', 'u', /is not a registry host/],
  ];
  for (const [registry, username, problem] of table) {
    assert.throws(
      () => formatDockerConfigJson([{ registry, username, password: SECRET }]),
      (err: unknown) =>
        err instanceof InvalidDockerConfigError && problem.test(err.message) && !err.message.includes(SECRET),
    );
  }
  assert.throws(
    () =>
      formatDockerConfigJson([
        { registry: 'r.example', username: 'a', password: 'x' },
        { registry: 'r.example', username: 'b', password: 'y' },
      ]),
    /given twice/,
  );
});
