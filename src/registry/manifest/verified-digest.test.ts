import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidDigestError } from './errors.ts';
import { isVerifiedDigest, verifiedAlgorithm } from './verified-digest.ts';

describe('verified digests', () => {
  it('trusts sha256 and sha512', () => {
    assert.equal(verifiedAlgorithm(`sha256:${'a'.repeat(64)}`), 'sha256');
    assert.equal(verifiedAlgorithm(`sha512:${'a'.repeat(128)}`), 'sha512');
    assert.equal(isVerifiedDigest(`sha512:${'a'.repeat(128)}`), true);
  });

  const bad = [
    'sha256:abc',
    'md5:' + 'a'.repeat(32),
    'sha256',
    'sha256:' + 'A'.repeat(64),
    'sha512:' + 'a'.repeat(64),
  ];
  for (const digest of bad) {
    it(`refuses ${digest.slice(0, 20)}…`, () => {
      assert.throws(() => verifiedAlgorithm(digest), InvalidDigestError);
      assert.equal(isVerifiedDigest(digest), false);
    });
  }

  it('refuses sha384, which go-digest accepts, naming the algorithm', () => {
    assert.throws(() => verifiedAlgorithm(`sha384:${'a'.repeat(96)}`), /unsupported algorithm "sha384"/);
    assert.equal(isVerifiedDigest(`sha384:${'a'.repeat(96)}`), false);
  });
});
