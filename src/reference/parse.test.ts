import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidReferenceError, parse, REFERENCE_ERRORS, type ReferenceErrorCode } from './index.ts';

const sha256 = `sha256:${'f'.repeat(64)}`;
const sha384 = `sha384:${'a'.repeat(96)}`;
const sha512 = `sha512:${'f'.repeat(128)}`;

interface Valid {
  readonly input: string;
  readonly domain?: string;
  /** Repository name (domain/path, or path when no domain). */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

const valid: readonly Valid[] = [
  { input: 'test_com', name: 'test_com' },
  { input: 'test.com:tag', name: 'test.com', tag: 'tag' },
  { input: 'test.com:5000', name: 'test.com', tag: '5000' },
  { input: 'test.com/repo:tag', domain: 'test.com', name: 'test.com/repo', tag: 'tag' },
  { input: 'test:5000/repo', domain: 'test:5000', name: 'test:5000/repo' },
  { input: 'test:5000/repo:tag', domain: 'test:5000', name: 'test:5000/repo', tag: 'tag' },
  { input: `test:5000/repo@${sha256}`, domain: 'test:5000', name: 'test:5000/repo', digest: sha256 },
  {
    input: `test:5000/repo:tag@${sha256}`,
    domain: 'test:5000',
    name: 'test:5000/repo',
    tag: 'tag',
    digest: sha256,
  },
  { input: 'lowercase:Uppercase', name: 'lowercase', tag: 'Uppercase' },
  {
    input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    domain: 'a',
    name: `${'a/'.repeat(127)}a`,
    tag: 'tag-puts-this-over-max',
  },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux',
    domain: 'sub-dom1.foo.com',
    name: 'sub-dom1.foo.com/bar/baz/quux',
  },
  {
    input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    domain: 'sub-dom1.foo.com',
    name: 'sub-dom1.foo.com/bar/baz/quux',
    tag: 'some-long-tag',
  },
  {
    input: 'b.gcr.io/test.example.com/my-app:test.example.com',
    domain: 'b.gcr.io',
    name: 'b.gcr.io/test.example.com/my-app',
    tag: 'test.example.com',
  },
  {
    input: 'xn--n3h.com/myimage:xn--n3h.com',
    domain: 'xn--n3h.com',
    name: 'xn--n3h.com/myimage',
    tag: 'xn--n3h.com',
  },
  {
    input: `xn--7o8h.com/myimage:xn--7o8h.com@${sha512}`,
    domain: 'xn--7o8h.com',
    name: 'xn--7o8h.com/myimage',
    tag: 'xn--7o8h.com',
    digest: sha512,
  },
  { input: 'foo_bar.com:8080', name: 'foo_bar.com', tag: '8080' },
  // A domain-shaped first component is the domain for plain Parse, whatever it looks like.
  { input: 'foo/foo_bar.com:8080', domain: 'foo', name: 'foo/foo_bar.com', tag: '8080' },
  { input: '192.168.1.1', name: '192.168.1.1' },
  { input: '192.168.1.1:tag', name: '192.168.1.1', tag: 'tag' },
  { input: '192.168.1.1:5000', name: '192.168.1.1', tag: '5000' },
  { input: '192.168.1.1/repo', domain: '192.168.1.1', name: '192.168.1.1/repo' },
  { input: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo' },
  {
    input: '192.168.1.1:5000/repo:5050',
    domain: '192.168.1.1:5000',
    name: '192.168.1.1:5000/repo',
    tag: '5050',
  },
  { input: '[2001:db8::1]/repo', domain: '[2001:db8::1]', name: '[2001:db8::1]/repo' },
  {
    input: '[2001:db8:1:2:3:4:5:6]/repo:tag',
    domain: '[2001:db8:1:2:3:4:5:6]',
    name: '[2001:db8:1:2:3:4:5:6]/repo',
    tag: 'tag',
  },
  { input: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo' },
  {
    input: '[2001:db8::1]:5000/repo:tag',
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    tag: 'tag',
  },
  {
    input: `[2001:db8::1]:5000/repo@${sha256}`,
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    digest: sha256,
  },
  {
    input: `[2001:db8::1]:5000/repo:tag@${sha256}`,
    domain: '[2001:db8::1]:5000',
    name: '[2001:db8::1]:5000/repo',
    tag: 'tag',
    digest: sha256,
  },
  { input: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000', name: '[2001:db8::]:5000/repo' },
  { input: '[::1]:5000/repo', domain: '[::1]:5000', name: '[::1]:5000/repo' },
  { input: '[2001:DB8::1]/repo', domain: '[2001:DB8::1]', name: '[2001:DB8::1]/repo' },
  // An uppercase first component is a domain, so this passes (distribution/reference's FIXME).
  { input: 'Uppercase/lowercase:tag', domain: 'Uppercase', name: 'Uppercase/lowercase', tag: 'tag' },
  { input: 'EXAMPLE.COM/repo', domain: 'EXAMPLE.COM', name: 'EXAMPLE.COM/repo' },
  // Separators: one period, one or two underscores, any number of dashes.
  { input: 'a.b_c__d---e/f', name: 'a.b_c__d---e/f', domain: undefined },
  { input: 'localhost/foo', domain: 'localhost', name: 'localhost/foo' },
  { input: 'localhost:5000/foo/bar:v1', domain: 'localhost:5000', name: 'localhost:5000/foo/bar', tag: 'v1' },
  // Tags: word characters, then dots and dashes; up to 128 characters; may start with "_".
  { input: `repo:${'t'.repeat(128)}`, name: 'repo', tag: 't'.repeat(128) },
  { input: 'repo:_under', name: 'repo', tag: '_under' },
  { input: 'repo:v1.2.3-rc.1_b', name: 'repo', tag: 'v1.2.3-rc.1_b' },
  { input: `repo@${sha384}`, name: 'repo', digest: sha384 },
  { input: `repo:tag@${sha512}`, name: 'repo', tag: 'tag', digest: sha512 },
  // Exactly 255 path characters is allowed; the domain does not count towards the limit.
  { input: `example.com/${'a'.repeat(255)}`, domain: 'example.com', name: `example.com/${'a'.repeat(255)}` },
  {
    input: `${'d'.repeat(63)}.${'e'.repeat(63)}.com/${'a'.repeat(255)}`,
    domain: `${'d'.repeat(63)}.${'e'.repeat(63)}.com`,
    name: `${'d'.repeat(63)}.${'e'.repeat(63)}.com/${'a'.repeat(255)}`,
  },
  // The first "a" is the domain, so the path is exactly 255 characters (limit excludes the domain).
  { input: `${'a/'.repeat(128)}a:tag`, domain: 'a', name: `${'a/'.repeat(128)}a`, tag: 'tag' },
  { input: 'a', name: 'a' },
  { input: '0', name: '0' },
  { input: 'example.com:00080/repo', domain: 'example.com:00080', name: 'example.com:00080/repo' },
];

interface Invalid {
  readonly input: string;
  readonly code: ReferenceErrorCode;
}

const invalid: readonly Invalid[] = [
  { input: '', code: 'REFERENCE_NAME_EMPTY' },
  { input: ':justtag', code: 'REFERENCE_INVALID_FORMAT' },
  { input: `@${sha256}`, code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo@sha256:${'f'.repeat(34)}`, code: 'REFERENCE_DIGEST_INVALID_LENGTH' },
  { input: `validname@invaliddigest:${'f'.repeat(64)}`, code: 'REFERENCE_DIGEST_UNSUPPORTED' },
  { input: 'Uppercase:tag', code: 'REFERENCE_NAME_CONTAINS_UPPERCASE' },
  { input: 'test:5000/Uppercase/lowercase:tag', code: 'REFERENCE_NAME_CONTAINS_UPPERCASE' },
  { input: 'repo/Sub', code: 'REFERENCE_NAME_CONTAINS_UPPERCASE' },
  { input: `domain/${'a'.repeat(256)}:tag`, code: 'REFERENCE_NAME_TOO_LONG' },
  { input: `${'a/'.repeat(129)}a:tag`, code: 'REFERENCE_NAME_TOO_LONG' },
  { input: `example.com/${'a'.repeat(256)}`, code: 'REFERENCE_NAME_TOO_LONG' },
  { input: 'aa/asdf$$^/aa', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[2001:db8::1]', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[2001:db8::1]:5000', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[2001:db8::1]:tag', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[fe80::1%eth0]:5000/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[fe80::1%@invalidzone]:5000/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '[2001:db8:3:4::192.0.2.33]:5000/debian', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'fc00::1:5000/debian', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'https://github.com/docker/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '-docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'docker-', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '-docker.io/docker/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'docker///docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'docker/', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '____/____', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'a___b', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'dock..er/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'dock_.er/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'dock-.er/docker', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo:', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo@', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo:-tag', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo:.tag', code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo:${'t'.repeat(129)}`, code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo:tag:tag', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo:ta+g', code: 'REFERENCE_INVALID_FORMAT' },
  { input: ' repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo ', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'repo\n', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'ré/po', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'example.com:/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'example.com:port/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: '-example.com/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'example-.com/repo', code: 'REFERENCE_INVALID_FORMAT' },
  { input: 'example..com/repo', code: 'REFERENCE_INVALID_FORMAT' },
  // Digests: the grammar needs 32+ hex digits; then go-digest checks algorithm, length and case.
  { input: 'repo@sha256:abc', code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo@sha256:${'g'.repeat(64)}`, code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo@sha256:${'F'.repeat(64)}`, code: 'REFERENCE_DIGEST_INVALID_ENCODING' },
  { input: `repo@sha256:${'f'.repeat(65)}`, code: 'REFERENCE_DIGEST_INVALID_LENGTH' },
  { input: `repo@sha512:${'f'.repeat(64)}`, code: 'REFERENCE_DIGEST_INVALID_LENGTH' },
  { input: `repo@sha384:${'f'.repeat(64)}`, code: 'REFERENCE_DIGEST_INVALID_LENGTH' },
  { input: `repo@Sha256:${'f'.repeat(64)}`, code: 'REFERENCE_DIGEST_INVALID_ENCODING' },
  { input: `repo@md5:${'f'.repeat(32)}`, code: 'REFERENCE_DIGEST_UNSUPPORTED' },
  { input: `repo@sha256+b64:${'f'.repeat(64)}`, code: 'REFERENCE_DIGEST_UNSUPPORTED' },
  { input: `repo@1sha:${'f'.repeat(64)}`, code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo@${sha256}:tag`, code: 'REFERENCE_INVALID_FORMAT' },
  { input: `repo@${sha256}@${sha256}`, code: 'REFERENCE_INVALID_FORMAT' },
];

describe('parse (distribution/reference Parse)', () => {
  it('splits domain, name, tag and digest and prints the reference back unchanged', async (t) => {
    for (const c of valid) {
      await t.test(c.input.length > 80 ? `${c.input.slice(0, 77)}...` : c.input, () => {
        const ref = parse(c.input);
        assert.equal(ref.string(), c.input);
        assert.equal(ref.name(), c.name);
        assert.equal(ref.domain, c.domain ?? '');
        assert.equal(ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`, c.name);
        assert.equal(ref.tag, c.tag);
        assert.equal(ref.digest, c.digest);
      });
    }
  });

  it('refuses malformed references with the reference implementation’s error', async (t) => {
    for (const c of invalid) {
      await t.test(JSON.stringify(c.input.length > 80 ? `${c.input.slice(0, 77)}...` : c.input), () => {
        assert.throws(
          () => parse(c.input),
          (error: unknown) => {
            assert.ok(error instanceof InvalidReferenceError);
            assert.equal(error.code, c.code);
            assert.equal(error.input, c.input);
            assert.equal(error.message, REFERENCE_ERRORS[c.code]);
            assert.equal(error.temporary, false);
            return true;
          },
        );
      });
    }
  });

  it('uses the exact messages of distribution/reference and go-digest', () => {
    assert.deepEqual(
      { ...REFERENCE_ERRORS },
      {
        REFERENCE_INVALID_FORMAT: 'invalid reference format',
        REFERENCE_TAG_INVALID_FORMAT: 'invalid tag format',
        REFERENCE_DIGEST_INVALID_FORMAT: 'invalid digest format',
        REFERENCE_NAME_CONTAINS_UPPERCASE: 'repository name must be lowercase',
        REFERENCE_NAME_EMPTY: 'repository name must have at least one component',
        REFERENCE_NAME_TOO_LONG: 'repository name must not be more than 255 characters',
        REFERENCE_NAME_NOT_CANONICAL: 'repository name must be canonical',
        REFERENCE_NAME_IS_IDENTIFIER: 'cannot specify 64-byte hexadecimal strings',
        REFERENCE_DIGEST_INVALID_ENCODING: 'invalid checksum digest format',
        REFERENCE_DIGEST_INVALID_LENGTH: 'invalid checksum digest length',
        REFERENCE_DIGEST_UNSUPPORTED: 'unsupported digest algorithm',
      },
    );
  });

  it('rejects 100 kB hostile inputs without catastrophic backtracking', () => {
    const hostile = [
      `${'a'.repeat(100_000)}!`,
      `${'a.'.repeat(50_000)}!`,
      `${'a-'.repeat(50_000)}!`,
      `${'a/'.repeat(50_000)}!`,
      `${'a-b.c_d__e/'.repeat(10_000)}!`,
      `${'Aa-'.repeat(30_000)}a/b!`,
      `a@sha256:${'f'.repeat(100_000)}g`,
    ];
    for (const input of hostile) {
      assert.throws(() => parse(input), { code: 'REFERENCE_INVALID_FORMAT' });
    }
  });

  it('returns frozen references whose JSON form is the reference string', () => {
    const ref = parse(`example.com/a/b:1@${sha256}`);
    assert.ok(Object.isFrozen(ref));
    assert.equal(JSON.stringify({ ref }), JSON.stringify({ ref: `example.com/a/b:1@${sha256}` }));
    assert.equal(String(ref), `example.com/a/b:1@${sha256}`);
  });
});
