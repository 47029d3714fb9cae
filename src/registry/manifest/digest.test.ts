import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDigester, digestOf, parseDigest } from './digest.ts';
import { InvalidDigestError } from './errors.ts';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digests', () => {
  it('hashes bytes as <algorithm>:<hex>', () => {
    assert.equal(digestOf(Buffer.alloc(0)), EMPTY_SHA256);
    assert.match(digestOf(Buffer.from('x'), 'sha512'), /^sha512:[0-9a-f]{128}$/);
  });

  it('digests streamed pieces like the whole', () => {
    const digester = createDigester(EMPTY_SHA256);
    digester.hash.update('ab');
    digester.hash.update('c');
    assert.equal(digester.finish(), digestOf(Buffer.from('abc')));
  });

  const bad = [
    'sha256:abc',
    'md5:' + 'a'.repeat(32),
    'sha256',
    'sha256:' + 'A'.repeat(64),
    'sha512:' + 'a'.repeat(64),
  ];
  for (const digest of bad) {
    it(`refuses ${digest.slice(0, 20)}…`, () => assert.throws(() => parseDigest(digest), InvalidDigestError));
  }
});
