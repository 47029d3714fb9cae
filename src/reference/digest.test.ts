import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createDigester,
  digestOf,
  isDigest,
  isValidDigest,
  parseDigest,
  type ReferenceErrorCode,
} from './index.ts';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseDigest (go-digest rules)', () => {
  it('accepts sha256, sha384 and sha512 with lowercase hex of exactly the hash size', () => {
    for (const [algorithm, length] of [
      ['sha256', 64],
      ['sha384', 96],
      ['sha512', 128],
    ] as const) {
      const encoded = '0123456789abcdef'.repeat(8).slice(0, length);
      assert.deepEqual(parseDigest(`${algorithm}:${encoded}`), { algorithm, encoded });
      assert.equal(isValidDigest(`${algorithm}:${encoded}`), true);
    }
  });

  it('refuses other digests with go-digest’s error', async (t) => {
    const cases: readonly [string, ReferenceErrorCode][] = [
      ['', 'REFERENCE_DIGEST_INVALID_ENCODING'],
      ['sha256', 'REFERENCE_DIGEST_INVALID_ENCODING'],
      ['sha256:', 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`sha256:${'A'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`sha256:${'g'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`sha256:${'a'.repeat(63)}`, 'REFERENCE_DIGEST_INVALID_LENGTH'],
      [`sha256:${'a'.repeat(65)}`, 'REFERENCE_DIGEST_INVALID_LENGTH'],
      [`sha512:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_LENGTH'],
      [`sha1:${'a'.repeat(40)}`, 'REFERENCE_DIGEST_UNSUPPORTED'],
      [`blake3:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_UNSUPPORTED'],
      [`SHA256:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`toString:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_INVALID_ENCODING'],
      [`constructor:${'a'.repeat(64)}`, 'REFERENCE_DIGEST_UNSUPPORTED'],
    ];
    for (const [input, code] of cases) {
      await t.test(JSON.stringify(input), () => {
        assert.throws(() => parseDigest(input), { name: 'InvalidReferenceError', code, input });
        assert.equal(isValidDigest(input), false);
      });
    }
  });
});

describe('computing digests (go-digest FromBytes, Digester)', () => {
  it('hashes bytes as <algorithm>:<hex>', () => {
    assert.equal(digestOf(Buffer.alloc(0)), EMPTY_SHA256);
    assert.match(digestOf(Buffer.from('x'), 'sha512'), /^sha512:[0-9a-f]{128}$/);
    assert.deepEqual(parseDigest(digestOf(Buffer.from('x'), 'sha384')).algorithm, 'sha384');
  });

  it('digests streamed pieces like the whole', () => {
    const digester = createDigester('sha256');
    digester.hash.update('ab');
    digester.hash.update('c');
    assert.equal(digester.finish(), digestOf(Buffer.from('abc')));
  });
});

describe('isDigest', () => {
  it('tells a digest from a tag by its colon, valid or not', () => {
    assert.equal(isDigest(EMPTY_SHA256), true);
    assert.equal(isDigest('sha256:abc'), true);
    assert.equal(isDigest('v1.2'), false);
    assert.equal(isDigest('latest'), false);
  });
});
