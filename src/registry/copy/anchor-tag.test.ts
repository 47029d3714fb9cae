import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidReferenceError } from '../../reference/index.ts';
import { anchorTag, anchoredDigest } from './anchor-tag.ts';

const HEX64 = '0123456789abcdef'.repeat(4);
const HEX128 = HEX64.repeat(2);
const HEX96 = HEX64 + HEX64.slice(0, 32);
/** The distribution grammar's tag, as the OCI distribution spec writes it. */
const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

describe('anchorTag', () => {
  const cases: readonly [name: string, digest: string, tag: string | undefined][] = [
    ['sha256', `sha256:${HEX64}`, `lifeboat-sha256-${HEX64}`],
    [
      'sha256 of the empty string',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'lifeboat-sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['sha512 has none (its tag would be 144 characters)', `sha512:${HEX128}`, undefined],
    ['sha384 has none', `sha384:${HEX96}`, undefined],
  ];
  for (const [name, digest, tag] of cases) {
    it(`${name}: ${tag ?? 'no anchor'}`, () => {
      assert.equal(anchorTag(digest), tag);
      if (tag !== undefined) {
        assert.match(tag, VALID_TAG);
        assert.equal(tag.length, 80);
        // Not the referrers/cosign form, which other tools move and delete.
        assert.doesNotMatch(tag, /^sha256-/);
        assert.equal(anchoredDigest(tag), digest);
      }
    });
  }

  const invalid: readonly [name: string, input: string][] = [
    ['a tag', 'v1.2.3'],
    ['uppercase hex', `sha256:${HEX64.toUpperCase()}`],
    ['short hex', `sha256:${HEX64.slice(1)}`],
    ['unknown algorithm', `md5:${HEX64.slice(0, 32)}`],
    ['empty', ''],
  ];
  for (const [name, input] of invalid) {
    it(`refuses ${name} with InvalidReferenceError`, () => {
      assert.throws(() => anchorTag(input), InvalidReferenceError);
    });
  }
});

describe('anchoredDigest', () => {
  const cases: readonly [tag: string, digest: string | undefined][] = [
    [`lifeboat-sha256-${HEX64}`, `sha256:${HEX64}`],
    [`sha256-${HEX64}`, undefined],
    [`sha256-${HEX64}.sig`, undefined],
    [`lifeboat-sha256-${HEX64.slice(1)}`, undefined],
    [`lifeboat-sha256-${HEX64}x`, undefined],
    [`lifeboat-sha256-${HEX64.toUpperCase()}`, undefined],
    [`lifeboat-sha512-${HEX128}`.slice(0, 128), undefined],
    ['latest', undefined],
  ];
  for (const [tag, digest] of cases) {
    it(`${tag.slice(0, 30)}…: ${digest === undefined ? 'no anchor' : 'its digest'}`, () => {
      assert.equal(anchoredDigest(tag), digest);
    });
  }
});
