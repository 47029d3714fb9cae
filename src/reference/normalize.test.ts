import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiHost,
  familiarName,
  familiarString,
  parseDockerRef,
  parseNamed,
  parseNormalizedNamed,
  trimNamed,
  withDigest,
  withName,
  withTag,
  type ReferenceErrorCode,
} from './index.ts';

const hex64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const digest = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';

describe('parseNormalizedNamed (Docker normalisation)', () => {
  it('accepts every repository name Docker accepts', async (t) => {
    const names = [
      'docker/docker',
      'library/debian',
      'debian',
      'docker.io/docker/docker',
      'docker.io/library/debian',
      'docker.io/debian',
      'index.docker.io/docker/docker',
      'index.docker.io/library/debian',
      'index.docker.io/debian',
      '127.0.0.1:5000/docker/docker',
      '127.0.0.1:5000/library/debian',
      '127.0.0.1:5000/debian',
      '192.168.0.1',
      '192.168.0.1:80',
      '192.168.0.1:8/debian',
      '192.168.0.2:25000/debian',
      'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      '[fc00::1]:5000/docker',
      '[fc00::1]:5000/docker/docker',
      '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
      `docker.io/${hex64}`,
      'Docker/docker',
      'DOCKER/docker',
      'docker-rules/docker',
      'docker---rules/docker',
      'doc/docker',
      'd/docker',
      'jess/t',
      'dock__er/docker',
      `${hex64.slice(0, 63)}`,
      `${hex64}0`,
      'localhost/foo',
      'localhost:5000/foo:bar',
    ];
    for (const name of names) {
      await t.test(name, () => {
        const ref = parseNormalizedNamed(name);
        assert.notEqual(ref.domain, '');
      });
    }
  });

  it('refuses what Docker refuses, with the reference implementation’s error', async (t) => {
    const cases: readonly { input: string; code: ReferenceErrorCode; message?: string }[] = [
      { input: 'https://github.com/docker/docker', code: 'REFERENCE_INVALID_FORMAT' },
      {
        input: 'docker/Docker',
        code: 'REFERENCE_NAME_CONTAINS_UPPERCASE',
        message: 'invalid reference format: repository name (docker/Docker) must be lowercase',
      },
      { input: '-docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '-docker/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '-docker.io/docker/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'docker///docker', code: 'REFERENCE_INVALID_FORMAT' },
      {
        input: 'docker.io/docker/Docker',
        code: 'REFERENCE_NAME_CONTAINS_UPPERCASE',
        message: 'invalid reference format: repository name (docker/Docker) must be lowercase',
      },
      { input: 'docker.io/docker///docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '[fc00::1]', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '[fc00::1]:5000', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'fc00::1:5000/debian', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '[fe80::1%eth0]:5000/debian', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '[2001:db8:3:4::192.0.2.33]:5000/debian', code: 'REFERENCE_INVALID_FORMAT' },
      {
        input: hex64,
        code: 'REFERENCE_NAME_IS_IDENTIFIER',
        message: `invalid repository name (${hex64}), cannot specify 64-byte hexadecimal strings`,
      },
      { input: 'docker-/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '-docker-/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '____/____', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '_docker/_docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'dock..er/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'dock_.er/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'dock-.er/docker', code: 'REFERENCE_INVALID_FORMAT' },
      { input: 'docker/', code: 'REFERENCE_INVALID_FORMAT' },
      { input: '', code: 'REFERENCE_INVALID_FORMAT' },
      {
        input: `this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_${'x'.repeat(200)}/docker`,
        code: 'REFERENCE_NAME_TOO_LONG',
      },
      {
        input: 'UPPER',
        code: 'REFERENCE_NAME_CONTAINS_UPPERCASE',
        message: 'invalid reference format: repository name (library/UPPER) must be lowercase',
      },
      // The lowercase check looks at everything before the first ":" of the remainder.
      {
        input: `foo@SHA256:${'f'.repeat(64)}`,
        code: 'REFERENCE_NAME_CONTAINS_UPPERCASE',
        message: 'invalid reference format: repository name (library/foo@SHA256) must be lowercase',
      },
      { input: `foo@sha256:${'f'.repeat(63)}`, code: 'REFERENCE_DIGEST_INVALID_LENGTH' },
      { input: 'nginx:1.25 ', code: 'REFERENCE_INVALID_FORMAT' },
    ];
    for (const c of cases) {
      await t.test(JSON.stringify(c.input.length > 80 ? `${c.input.slice(0, 77)}...` : c.input), () => {
        assert.throws(() => parseNormalizedNamed(c.input), {
          name: 'InvalidReferenceError',
          code: c.code,
          input: c.input,
          ...(c.message === undefined ? {} : { message: c.message }),
        });
      });
    }
  });

  it('qualifies familiar names and gives back the familiar form', async (t) => {
    const cases = [
      {
        path: 'fooo/bar',
        familiar: 'fooo/bar',
        full: 'docker.io/fooo/bar',
        also: ['index.docker.io/fooo/bar'],
      },
      {
        path: 'library/ubuntu',
        familiar: 'ubuntu',
        full: 'docker.io/library/ubuntu',
        also: ['library/ubuntu'],
      },
      {
        path: 'nonlibrary/ubuntu',
        familiar: 'nonlibrary/ubuntu',
        full: 'docker.io/nonlibrary/ubuntu',
        also: [],
      },
      { path: 'other/library', familiar: 'other/library', full: 'docker.io/other/library', also: [] },
      {
        path: 'private/moonbase',
        familiar: '127.0.0.1:8000/private/moonbase',
        full: '127.0.0.1:8000/private/moonbase',
        also: [],
      },
      {
        path: 'privatebase',
        familiar: '127.0.0.1:8000/privatebase',
        full: '127.0.0.1:8000/privatebase',
        also: [],
      },
      {
        path: 'private/moonbase',
        familiar: 'example.com/private/moonbase',
        full: 'example.com/private/moonbase',
        also: [],
      },
      { path: 'privatebase', familiar: 'example.com/privatebase', full: 'example.com/privatebase', also: [] },
      {
        path: 'private/moonbase',
        familiar: 'example.com:8000/private/moonbase',
        full: 'example.com:8000/private/moonbase',
        also: [],
      },
      {
        path: 'privatebasee',
        familiar: 'example.com:8000/privatebasee',
        full: 'example.com:8000/privatebasee',
        also: [],
      },
      {
        path: 'library/ubuntu-12.04-base',
        familiar: 'ubuntu-12.04-base',
        full: 'docker.io/library/ubuntu-12.04-base',
        also: ['index.docker.io/library/ubuntu-12.04-base'],
      },
      { path: 'library/foo', familiar: 'foo', full: 'docker.io/library/foo', also: ['docker.io/foo'] },
      { path: 'library/foo/bar', familiar: 'library/foo/bar', full: 'docker.io/library/foo/bar', also: [] },
      { path: 'store/foo/bar', familiar: 'store/foo/bar', full: 'docker.io/store/foo/bar', also: [] },
      { path: 'bar', familiar: 'Foo/bar', full: 'Foo/bar', also: [] },
      { path: 'bar', familiar: 'FOO/bar', full: 'FOO/bar', also: [] },
      { path: 'foo', familiar: 'localhost/foo', full: 'localhost/foo', also: [] },
      { path: 'foo', familiar: '[::1]:5000/foo', full: '[::1]:5000/foo', also: [] },
    ];
    for (const c of cases) {
      for (const input of [c.familiar, c.full, ...c.also]) {
        await t.test(input, () => {
          const ref = parseNormalizedNamed(input);
          assert.equal(ref.string(), c.full);
          assert.equal(ref.path, c.path);
          assert.equal(familiarName(ref), c.familiar);
          assert.equal(familiarString(ref), c.familiar);
        });
      }
    }
  });

  it('splits the domain from the path as Docker does', async (t) => {
    const cases = [
      ['test.com/foo', 'test.com', 'foo'],
      ['test_com/foo', 'docker.io', 'test_com/foo'],
      ['docker/migrator', 'docker.io', 'docker/migrator'],
      ['test.com:8080/foo', 'test.com:8080', 'foo'],
      ['test-com:8080/foo', 'test-com:8080', 'foo'],
      ['foo', 'docker.io', 'library/foo'],
      ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
      ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
      ['docker.io/foo', 'docker.io', 'library/foo'],
      ['docker.io/library/foo', 'docker.io', 'library/foo'],
      ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
      // Without a "/", a host-looking name is a Docker Hub repository with a tag (Docker's FIXME).
      ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1'],
      ['localhost:8080', 'docker.io', 'library/localhost'],
      ['example.com', 'docker.io', 'library/example.com'],
      // index.docker.io is folded only when written exactly so.
      ['index.docker.io/foo', 'docker.io', 'library/foo'],
      ['Index.docker.io/foo', 'Index.docker.io', 'foo'],
      ['docker.io:443/foo', 'docker.io:443', 'foo'],
      ['localhost/foo/bar', 'localhost', 'foo/bar'],
      ['foo:5000/bar', 'foo:5000', 'bar'],
    ] as const;
    for (const [input, domain, path] of cases) {
      await t.test(input, () => {
        const ref = parseNormalizedNamed(input);
        assert.equal(ref.domain, domain);
        assert.equal(ref.path, path);
      });
    }
  });

  it('keeps both tag and digest, and the familiar form keeps them too', () => {
    const short = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
    const ref = parseNormalizedNamed(short);
    assert.equal(ref.string(), `docker.io/library/${short}`);
    assert.equal(ref.tag, 'latest');
    assert.equal(ref.digest, 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
    assert.equal(familiarString(ref), short);
    assert.equal(familiarName(ref), 'busybox');
  });
});

describe('parseDockerRef', () => {
  it('adds :latest to bare names and drops the tag when a digest is present', async (t) => {
    const cases = [
      ['busybox', 'docker.io/library/busybox:latest'],
      ['busybox:latest', 'docker.io/library/busybox:latest'],
      [`busybox@${digest}`, `docker.io/library/busybox@${digest}`],
      ['library/busybox', 'docker.io/library/busybox:latest'],
      ['docker.io/busybox', 'docker.io/library/busybox:latest'],
      ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
      ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
      ['library/busybox:latest', 'docker.io/library/busybox:latest'],
      ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
      ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
      [`gcr.io/library/busybox:latest@${digest}`, `gcr.io/library/busybox@${digest}`],
      ['localhost:5000/app:V1', 'localhost:5000/app:V1'],
    ] as const;
    for (const [input, expected] of cases) {
      await t.test(input, () => {
        const ref = parseDockerRef(input);
        assert.equal(ref.string(), expected);
        assert.equal(parseNormalizedNamed(ref.string()).string(), expected);
      });
    }
  });
});

describe('parseNamed', () => {
  it('accepts only references already in canonical form', async (t) => {
    const cases = [
      ['test.com/foo', 'test.com', 'foo'],
      ['test:8080/foo', 'test:8080', 'foo'],
      ['docker.io/library/foo', 'docker.io', 'library/foo'],
      ['test_com/foo', undefined],
      ['test.com', undefined],
      ['foo', undefined],
      ['library/foo', undefined],
      ['docker.io/foo', undefined],
      ['index.docker.io/library/foo', undefined],
    ] as const;
    for (const [input, domain, path] of cases) {
      await t.test(input, () => {
        if (domain === undefined) {
          assert.throws(() => parseNamed(input), { code: 'REFERENCE_NAME_NOT_CANONICAL' });
        } else {
          const ref = parseNamed(input);
          assert.equal(ref.domain, domain);
          assert.equal(ref.path, path);
        }
      });
    }
  });
});

describe('withName, withTag, withDigest, trimNamed', () => {
  it('build references from validated parts', async (t) => {
    const short = 'sha256:1234567890098765432112345667890098765432112345667890098765432112';
    const cases = [
      { name: 'test.com/foo', tag: 'tag', combined: 'test.com/foo:tag' },
      { name: 'foo', tag: 'tag2', combined: 'foo:tag2' },
      { name: 'test.com:8000/foo', tag: 'tag4', combined: 'test.com:8000/foo:tag4' },
      { name: 'test.com:8000/foo', tag: 'TAG5', combined: 'test.com:8000/foo:TAG5' },
      { name: 'test.com:8000/foo', digest: short, tag: 'TAG5', combined: `test.com:8000/foo:TAG5@${short}` },
      { name: 'test.com/foo', digest: short, combined: `test.com/foo@${short}` },
      { name: '[::1]:5000/foo', digest: short, tag: 'latest', combined: `[::1]:5000/foo:latest@${short}` },
    ];
    for (const c of cases) {
      await t.test(c.combined, () => {
        let ref = withName(c.name);
        if (c.digest !== undefined) ref = withDigest(ref, c.digest);
        if (c.tag !== undefined) ref = withTag(ref, c.tag);
        assert.equal(ref.string(), c.combined);
        assert.equal(trimNamed(ref).string(), c.name);
      });
    }
  });

  it('refuse invalid names, tags and digests', () => {
    assert.throws(() => withName(''), { code: 'REFERENCE_INVALID_FORMAT' });
    assert.throws(() => withName(':justtag'), { code: 'REFERENCE_INVALID_FORMAT' });
    assert.throws(() => withName('example.com/repo:tag'), { code: 'REFERENCE_INVALID_FORMAT' });
    assert.throws(() => withName(`example.com/${'a'.repeat(256)}`), { code: 'REFERENCE_NAME_TOO_LONG' });
    const busybox = parseNormalizedNamed('busybox');
    assert.throws(() => withTag(busybox, '-foo'), { code: 'REFERENCE_TAG_INVALID_FORMAT' });
    assert.throws(() => withTag(busybox, ''), { code: 'REFERENCE_TAG_INVALID_FORMAT' });
    assert.throws(() => withDigest(busybox, 'foo'), { code: 'REFERENCE_DIGEST_INVALID_FORMAT' });
    assert.throws(() => withDigest(busybox, `sha256:${'a'.repeat(37)}`), {
      code: 'REFERENCE_DIGEST_INVALID_LENGTH',
    });
  });
});

describe('apiHost', () => {
  it('sends Docker Hub traffic to registry-1.docker.io and everything else to itself', () => {
    assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(apiHost('index.docker.io'), 'registry-1.docker.io');
    assert.equal(apiHost('registry-1.docker.io'), 'registry-1.docker.io');
    assert.equal(apiHost('quay.io'), 'quay.io');
    assert.equal(apiHost('localhost:5000'), 'localhost:5000');
    assert.equal(apiHost('[::1]:5000'), '[::1]:5000');
    assert.equal(apiHost('docker.io:443'), 'docker.io:443');
  });
});
