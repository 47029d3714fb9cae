import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobMismatchError, CopyError, NotFoundError, UnauthorizedError } from '../../registry/index.ts';
import { copyFailure, SourceAccessError, sourceRefused } from './copy-failure.ts';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const copy = (cause: unknown, code?: 'COPY_NOT_FOUND') =>
  new CopyError(`copying s to t: ${(cause as Error | undefined)?.message ?? 'missing'}`, {
    source: 's',
    target: 't',
    cause,
    ...(code ? { code } : {}),
  });
const unauthorized = (registry: string) =>
  new UnauthorizedError(`registry ${registry} refused access for scope "repository:a:pull"`, {
    registry,
    status: 401,
    scope: 'repository:a:pull',
  });
const mismatch = new BlobMismatchError({
  kind: 'digest',
  registry: 'src',
  repository: 'a',
  digest: D1,
  expected: D1,
  actual: D2,
});

describe('copyFailure', () => {
  const cases: [string, unknown, string][] = [
    ['the innermost code of the chain', copy(mismatch), 'BLOB_DIGEST_MISMATCH'],
    ['a copy error of its own', copy(undefined, 'COPY_NOT_FOUND'), 'COPY_NOT_FOUND'],
    [
      'every login refused: the last refusal',
      new SourceAccessError('s', ['anonymous'], unauthorized('src')),
      'REGISTRY_UNAUTHORIZED',
    ],
    ['a foreign error', new Error('boom'), 'UNKNOWN'],
  ];
  for (const [name, error, code] of cases) {
    it(`${name}: ${code}`, () => assert.equal(copyFailure(error).code, code));
  }

  it('keeps the outer message, which carries the inner one', () => {
    const { message } = copyFailure(copy(mismatch));
    assert.ok(
      message.startsWith('copying s to t: ') && message.includes(D1) && message.includes(D2),
      message,
    );
  });
});

describe('sourceRefused', () => {
  const cases: [string, unknown, boolean][] = [
    ['401/403 from the source', copy(unauthorized('src')), true],
    ['404 from the source', copy(new NotFoundError('no', { registry: 'src' })), true],
    ['the source manifest does not exist', copy(undefined, 'COPY_NOT_FOUND'), true],
    ['401 from the backup registry', copy(unauthorized('backup')), false],
    ['a digest mismatch', copy(mismatch), false],
    ['a foreign error', new Error('boom'), false],
  ];
  for (const [name, error, want] of cases) {
    it(`${name}: ${want}`, () => assert.equal(sourceRefused(error, 'src'), want));
  }
});
