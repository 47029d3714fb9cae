import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CredentialsParseError,
  basicAuthorization,
  describeCredentials,
  parseCredentialsFlag,
} from './credentials.ts';

test('parseCredentialsFlag splits USER:PASS at the first colon', () => {
  assert.deepEqual(parseCredentialsFlag('alice:s3cret'), {
    kind: 'basic',
    username: 'alice',
    password: 's3cret',
  });
  assert.deepEqual(parseCredentialsFlag('bob:pa:ss:wd'), {
    kind: 'basic',
    username: 'bob',
    password: 'pa:ss:wd',
  });
});

test('parseCredentialsFlag refuses malformed input without echoing it', () => {
  for (const bad of ['nocolon-secretvalue', ':secretvalue', 'user:']) {
    assert.throws(
      () => parseCredentialsFlag(bad, '--src-creds'),
      (err: unknown) => {
        assert.ok(err instanceof CredentialsParseError);
        assert.equal(err.code, 'CREDENTIALS_INVALID');
        assert.match(err.message, /--src-creds/);
        assert.doesNotMatch(err.message, /secretvalue/);
        return true;
      },
    );
  }
});

test('describeCredentials never shows a secret, nor a user name (it reaches statuses and Events)', () => {
  assert.equal(
    describeCredentials({ kind: 'basic', username: 'robot-of-tenant-a', password: 'hunter2' }),
    'user and password',
  );
  assert.equal(describeCredentials({ kind: 'identityToken', token: 'tok-secret' }), 'identity token');
  assert.equal(describeCredentials({ kind: 'anonymous' }), 'anonymous');
});

test('basicAuthorization encodes user:password in base64', () => {
  assert.equal(basicAuthorization('Aladdin', 'open sesame'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
});
