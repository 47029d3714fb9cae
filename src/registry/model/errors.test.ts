import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  DigestMismatchError,
  InsecureRegistryError,
  ManifestTooLargeError,
  NetworkError,
  RegistryError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  errorCodeOf,
  isTemporary,
  parseDistributionErrors,
  readCapped,
  redactUrl,
} from './errors.ts';

test('status classification: 408/429/5xx gateway errors are temporary, client errors are not', () => {
  const table: [number, boolean][] = [
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
    [501, false],
  ];
  for (const [status, want] of table) {
    assert.equal(new RegistryError('x', { registry: 'r', status }).temporary, want, String(status));
  }
});

test('distribution error codes TOOMANYREQUESTS and UNAVAILABLE make an error temporary', () => {
  const err = new RegistryError('x', {
    registry: 'r',
    status: 400,
    errors: [{ code: 'TOOMANYREQUESTS', message: '' }],
  });
  assert.equal(err.temporary, true);
  assert.equal(
    new RegistryError('x', { registry: 'r', status: 400, errors: [{ code: 'DENIED', message: '' }] })
      .temporary,
    false,
  );
});

test('socket error codes are classified through undici cause chains, never by message', () => {
  const table: [unknown, boolean][] = [
    [Object.assign(new Error('x'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('x'), { code: 'EPIPE' }), true],
    [Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }), true],
    [
      Object.assign(new Error('wrapped'), {
        code: 'UND_ERR_X',
        cause: Object.assign(new Error(), { code: 'ECONNRESET' }),
      }),
      true,
    ],
    [Object.assign(new Error('ECONNRESET in the message only'), { code: 'EINVAL' }), false],
    [new Error('ECONNRESET'), false],
    [new NetworkError('x', { registry: 'r', errno: 'ECONNREFUSED' }), true],
    [new NetworkError('x', { registry: 'r', errno: 'ERR_INVALID_URL' }), false],
    [new TooManyRequestsError('x', { registry: 'r' }), true],
    [new UnauthorizedError('x', { registry: 'r' }), false],
  ];
  for (const [err, want] of table) assert.equal(isTemporary(err), want, (err as Error).message);
  assert.equal(errorCodeOf(Object.assign(new Error(), { code: 'A', cause: { code: 'EPIPE' } })), 'EPIPE');
  assert.equal(errorCodeOf('nope'), undefined);
});

test('every error class has a stable code and carries its structured fields', () => {
  const fields = { registry: 'r.example', repository: 'a/b' };
  const table: [RegistryError, string][] = [
    [new UnauthorizedError('x', { ...fields, scope: 'repository:a/b:pull' }), 'REGISTRY_UNAUTHORIZED'],
    [new TooManyRequestsError('x', { ...fields, retryAfterMs: 5 }), 'REGISTRY_TOO_MANY_REQUESTS'],
    [new ManifestTooLargeError({ ...fields, limit: 4, reference: 'v1' }), 'REGISTRY_MANIFEST_TOO_LARGE'],
    [
      new DigestMismatchError({ ...fields, expected: 'sha256:e', actual: 'sha256:a', what: 'blob' }),
      'REGISTRY_DIGEST_MISMATCH',
    ],
    [
      new UnsupportedMediaTypeError({ ...fields, mediaType: 'application/x' }),
      'REGISTRY_UNSUPPORTED_MEDIA_TYPE',
    ],
    [new InsecureRegistryError('x', fields), 'REGISTRY_INSECURE'],
  ];
  for (const [err, code] of table) {
    assert.equal(err.code, code);
    assert.equal(err.registry, 'r.example');
    assert.equal(err.repository, 'a/b');
    assert.ok(err instanceof RegistryError);
  }
  const mismatch = new DigestMismatchError({
    ...fields,
    expected: 'sha256:e',
    actual: 'sha256:a',
    what: 'blob',
  });
  assert.match(mismatch.message, /sha256:e/);
  assert.match(mismatch.message, /sha256:a/);
  assert.match(
    new UnsupportedMediaTypeError({ ...fields, mediaType: 'application/x' }).message,
    /application\/x/,
  );
});

test('redactUrl drops userinfo and secret-bearing query values but keeps safe ones', () => {
  const table: [string, string][] = [
    ['https://user:pw@r.example/v2/', 'https://r.example/v2/'],
    [
      'https://r.example/v2/a/blobs/uploads/u?_state=SECRET&digest=sha256%3Aabc',
      'https://r.example/v2/a/blobs/uploads/u?_state=REDACTED&digest=sha256%3Aabc',
    ],
    [
      'https://s3.example/x?X-Amz-Signature=sig&X-Amz-Credential=c',
      'https://s3.example/x?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED',
    ],
    [
      'https://auth.example/token?scope=repository%3Aa%3Apull&service=s',
      'https://auth.example/token?scope=repository%3Aa%3Apull&service=s',
    ],
    ['not a url?token=abc', 'not a url?REDACTED'],
  ];
  for (const [url, want] of table) assert.equal(redactUrl(url), want);
});

test('parseDistributionErrors reads the errors array and ignores anything else', () => {
  const table: [string, unknown][] = [
    [
      '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}',
      [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }],
    ],
    [
      '{"errors":[{"message":"no code"},{"code":"DENIED"}]}',
      [{ code: 'DENIED', message: '', detail: undefined }],
    ],
    ['<html>bad gateway</html>', []],
    ['{"errors":"nope"}', []],
    ['', []],
  ];
  for (const [body, want] of table) assert.deepEqual(parseDistributionErrors(Buffer.from(body)), want);
});

test('readCapped reads at most the cap and releases the rest', async () => {
  const body = Readable.from([Buffer.alloc(40_000, 1), Buffer.alloc(40_000, 2)]);
  const got = await readCapped(body);
  assert.equal(got.length, 64 * 1024);
  assert.equal(body.destroyed, true);
});
