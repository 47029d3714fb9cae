import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backupMapping,
  canonicalSource,
  isBackupImage,
  mapRepository,
  MappingError,
  mappingFromLocation,
  parse,
  parseBackupLocation,
  parseNormalizedNamed,
  reverseRepository,
  rewriteReference,
  type BackupMapping,
  type MappingErrorCode,
} from './index.ts';

const D = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const D2 = 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';

const nested = backupMapping({ backupRegistry: 'backup.example.com', prefix: 'lifeboat' });
const flat = backupMapping({ backupRegistry: 'backup.example.com', prefix: 'lifeboat', flatten: true });
const bare = backupMapping({ backupRegistry: 'localhost:5000' });
const bareFlat = backupMapping({ backupRegistry: 'localhost:5000', flatten: true });

function mapped(input: string, mapping: BackupMapping): string {
  return mapRepository(parseNormalizedNamed(input), mapping).name();
}

describe('backupMapping', () => {
  it('accepts registry hosts and normalises them', () => {
    assert.deepEqual(backupMapping({ backupRegistry: 'Backup.Example.com' }), {
      backupRegistry: 'backup.example.com',
      prefix: '',
      flatten: false,
    });
    assert.equal(
      backupMapping({ backupRegistry: 'index.docker.io', prefix: 'org' }).backupRegistry,
      'docker.io',
    );
    assert.equal(backupMapping({ backupRegistry: 'localhost' }).backupRegistry, 'localhost');
    assert.equal(backupMapping({ backupRegistry: '[::1]:5000' }).backupRegistry, '[::1]:5000');
    assert.equal(backupMapping({ backupRegistry: 'r.example.com', prefix: 'a/b-c/d' }).prefix, 'a/b-c/d');
    assert.ok(Object.isFrozen(nested));
  });

  it('refuses hosts Docker would read as a namespace, bad prefixes, and docker.io flattened bare', async (t) => {
    const cases = [
      { backupRegistry: '' },
      { backupRegistry: 'backup' },
      { backupRegistry: 'backup.example.com/team' },
      { backupRegistry: 'https://backup.example.com' },
      { backupRegistry: '-backup.example.com' },
      { backupRegistry: 'r.example.com', prefix: 'Team' },
      { backupRegistry: 'r.example.com', prefix: '/team' },
      { backupRegistry: 'r.example.com', prefix: 'team/' },
      { backupRegistry: 'r.example.com', prefix: 'a//b' },
      { backupRegistry: 'r.example.com', prefix: 'a'.repeat(255) },
      { backupRegistry: 'docker.io', flatten: true },
      { backupRegistry: 'index.docker.io', flatten: true },
    ];
    for (const options of cases) {
      await t.test(JSON.stringify(options), () => {
        assert.throws(() => backupMapping(options), {
          name: 'MappingError',
          code: 'MAPPING_INVALID_OPTIONS',
        });
      });
    }
  });

  it('splits HOST[/PREFIX]', () => {
    assert.deepEqual(parseBackupLocation('backup.example.com'), {
      backupRegistry: 'backup.example.com',
      prefix: '',
    });
    assert.deepEqual(parseBackupLocation('backup.example.com/lifeboat'), {
      backupRegistry: 'backup.example.com',
      prefix: 'lifeboat',
    });
    assert.deepEqual(parseBackupLocation('localhost:5000/a/b'), {
      backupRegistry: 'localhost:5000',
      prefix: 'a/b',
    });
  });

  it('builds a mapping from HOST[/PREFIX], with the prefix in the location or on its own, not both', () => {
    const table: [options: Parameters<typeof mappingFromLocation>[0], want: BackupMapping][] = [
      [{ backupRegistry: 'r.example.com' }, { backupRegistry: 'r.example.com', prefix: '', flatten: false }],
      [
        { backupRegistry: 'R.example.com/a/b', flatten: true },
        { backupRegistry: 'r.example.com', prefix: 'a/b', flatten: true },
      ],
      [
        { backupRegistry: 'localhost:5000', prefix: 'team' },
        { backupRegistry: 'localhost:5000', prefix: 'team', flatten: false },
      ],
    ];
    for (const [options, want] of table) assert.deepEqual(mappingFromLocation(options), want);
    assert.throws(
      () => mappingFromLocation({ backupRegistry: 'r.example.com/a', prefix: 'b' }),
      (err: unknown) =>
        err instanceof MappingError &&
        err.code === 'MAPPING_INVALID_OPTIONS' &&
        /prefix is given twice.*\(a\).*\(b\)/.test(err.message),
    );
    assert.throws(
      () => mappingFromLocation({ backupRegistry: 'r.example.com', prefix: 'Bad' }),
      (err: unknown) => err instanceof MappingError && err.code === 'MAPPING_INVALID_OPTIONS',
    );
  });
});

describe('mapRepository', () => {
  it('nests {registry}/{prefix}/{host}/{path}, turning ports and IPv6 into path components', async (t) => {
    const cases = [
      ['nginx:1.25', nested, 'backup.example.com/lifeboat/docker.io/library/nginx'],
      ['nginx', bare, 'localhost:5000/docker.io/library/nginx'],
      ['bitnami/redis', nested, 'backup.example.com/lifeboat/docker.io/bitnami/redis'],
      ['index.docker.io/library/nginx', nested, 'backup.example.com/lifeboat/docker.io/library/nginx'],
      ['quay.io/a/b/c:v1', nested, 'backup.example.com/lifeboat/quay.io/a/b/c'],
      ['localhost:5000/foo', nested, 'backup.example.com/lifeboat/localhost_5000/foo'],
      ['localhost/foo', nested, 'backup.example.com/lifeboat/localhost/foo'],
      ['127.0.0.1:5000/a/b', nested, 'backup.example.com/lifeboat/127.0.0.1_5000/a/b'],
      ['[::1]:5000/foo', nested, 'backup.example.com/lifeboat/ipv6__xx1_5000/foo'],
      ['[2001:DB8::1]/foo', nested, 'backup.example.com/lifeboat/ipv6__2001xdb8xx1/foo'],
      ['[2001:db8::]:443/foo', nested, 'backup.example.com/lifeboat/ipv6__2001xdb8xx_443/foo'],
      ['Example.COM/foo', nested, 'backup.example.com/lifeboat/example.com/foo'],
      ['xn--n3h.com/my__img', nested, 'backup.example.com/lifeboat/xn--n3h.com/my__img'],
      [`gcr.io/x@${D}`, nested, 'backup.example.com/lifeboat/gcr.io/x'],
    ] as const;
    for (const [input, mapping, expected] of cases) {
      await t.test(`${input} → ${expected}`, () => assert.equal(mapped(input, mapping), expected));
    }
  });

  it('flattens host and path into one component with an escaping that cannot collide', async (t) => {
    const cases = [
      ['nginx:1.25', flat, 'backup.example.com/lifeboat/docker.io-library-nginx'],
      ['nginx', bareFlat, 'localhost:5000/docker.io-library-nginx'],
      ['quay.io/a-b/c', flat, 'backup.example.com/lifeboat/quay.io-a--b-c'],
      ['quay.io/a/b-c', flat, 'backup.example.com/lifeboat/quay.io-a-b--c'],
      ['quay.io/a--b/c', flat, 'backup.example.com/lifeboat/quay.io-a---b-c'],
      ['xn--n3h.com/x', flat, 'backup.example.com/lifeboat/xn---n3h.com-x'],
      ['localhost:5000/a__b/c.d', flat, 'backup.example.com/lifeboat/localhost_5000-a__b-c.d'],
      ['[::1]:5000/a_b', flat, 'backup.example.com/lifeboat/ipv6__xx1_5000-a_b'],
    ] as const;
    for (const [input, mapping, expected] of cases) {
      await t.test(`${input} → ${expected}`, () => {
        assert.equal(mapped(input, mapping), expected);
        assert.equal(
          mapRepository(parseNormalizedNamed(input), mapping).path.split('/').length,
          mapping.prefix ? 2 : 1,
        );
      });
    }
  });

  it('refuses targets over 255 path characters instead of truncating them', () => {
    const source = parseNormalizedNamed(`quay.io/${'a'.repeat(240)}`);
    assert.equal(mapped(`quay.io/${'a'.repeat(246)}`, bare), `localhost:5000/quay.io/${'a'.repeat(246)}`);
    assert.throws(
      () => mapRepository(source, nested),
      (error: unknown) => {
        assert.ok(error instanceof MappingError);
        assert.equal(error.code, 'MAPPING_NAME_TOO_LONG');
        assert.equal(error.source, `quay.io/${'a'.repeat(240)}`);
        assert.equal(error.target, `backup.example.com/lifeboat/quay.io/${'a'.repeat(240)}`);
        assert.match(error.message, /257 characters, over the limit of 255/);
        return true;
      },
    );
    assert.throws(() => mapRepository(parseNormalizedNamed(`quay.io/${'a-'.repeat(120)}a`), flat), {
      code: 'MAPPING_NAME_TOO_LONG',
    });
  });

  it('refuses sources that are not normalised or whose host is a host only through uppercase', async (t) => {
    const cases = [
      ['Foo/bar', parseNormalizedNamed('Foo/bar')],
      ['parse("nginx") has no domain', parse('nginx')],
      ['parse("docker.io/nginx") lacks library/', parse('docker.io/nginx')],
      ['parse("foo/bar") takes foo as a domain', parse('foo/bar')],
    ] as const;
    for (const [name, ref] of cases) {
      await t.test(name, () => {
        assert.throws(() => mapRepository(ref, nested), {
          name: 'MappingError',
          code: 'MAPPING_INVALID_SOURCE',
        });
      });
    }
  });

  it('identifies sources by their lower-cased host', () => {
    assert.equal(canonicalSource(parseNormalizedNamed('Example.COM/foo:tag')).string(), 'example.com/foo');
    assert.equal(mapped('Example.COM/foo', nested), mapped('example.com/foo', nested));
  });
});

describe('rewriteReference', () => {
  it('keeps the tag for people and pins the digest', async (t) => {
    const cases: readonly (readonly [string, boolean, string | undefined, string])[] = [
      ['nginx:1.25', true, D, `backup.example.com/lifeboat/docker.io/library/nginx:1.25@${D}`],
      ['nginx', true, D, `backup.example.com/lifeboat/docker.io/library/nginx:latest@${D}`],
      [`nginx@${D}`, true, undefined, `backup.example.com/lifeboat/docker.io/library/nginx@${D}`],
      [`nginx@${D}`, true, D, `backup.example.com/lifeboat/docker.io/library/nginx@${D}`],
      [`nginx:1.25@${D}`, true, D, `backup.example.com/lifeboat/docker.io/library/nginx:1.25@${D}`],
      ['nginx:1.25', false, D, 'backup.example.com/lifeboat/docker.io/library/nginx:1.25'],
      ['nginx:1.25', false, undefined, 'backup.example.com/lifeboat/docker.io/library/nginx:1.25'],
      ['nginx', false, undefined, 'backup.example.com/lifeboat/docker.io/library/nginx:latest'],
      [`nginx@${D}`, false, undefined, `backup.example.com/lifeboat/docker.io/library/nginx@${D}`],
      [`nginx:1.25@${D}`, false, undefined, `backup.example.com/lifeboat/docker.io/library/nginx:1.25@${D}`],
    ];
    for (const [input, pinDigest, digest, expected] of cases) {
      await t.test(`${input} pin=${pinDigest} copied=${digest ?? '-'}`, () => {
        const out = rewriteReference(parseNormalizedNamed(input), nested, { pinDigest, digest });
        assert.equal(out.string(), expected);
        assert.equal(parseNormalizedNamed(out.string()).string(), expected);
      });
    }
  });

  it('refuses to pin without a digest, or to a digest the source does not pin', () => {
    assert.throws(() => rewriteReference(parseNormalizedNamed('nginx:1.25'), nested), {
      code: 'MAPPING_DIGEST_REQUIRED',
      source: 'docker.io/library/nginx:1.25',
    });
    assert.throws(() => rewriteReference(parseNormalizedNamed(`nginx@${D}`), nested, { digest: D2 }), {
      code: 'MAPPING_DIGEST_MISMATCH',
      digest: D2,
      target: 'backup.example.com/lifeboat/docker.io/library/nginx',
    });
  });
});

describe('isBackupImage', () => {
  it('recognises images on the backup registry under the prefix', async (t) => {
    const cases = [
      ['backup.example.com/lifeboat/docker.io/library/nginx:1.25', nested, true],
      ['BACKUP.example.com/lifeboat/docker.io/library/nginx', nested, true],
      ['backup.example.com/lifeboat/anything', nested, true],
      ['backup.example.com/lifeboatx/docker.io/library/nginx', nested, false],
      ['backup.example.com/lifeboat', nested, false],
      ['backup.example.com/other/nginx', nested, false],
      ['backup.example.com:5000/lifeboat/x/y', nested, false],
      ['nginx', nested, false],
      ['localhost:5000/anything/at/all', bare, true],
      ['localhost/anything', bare, false],
      [`localhost:5000/docker.io/library/nginx@${D}`, bare, true],
    ] as const;
    for (const [input, mapping, expected] of cases) {
      await t.test(`${input} → ${expected}`, () => {
        assert.equal(isBackupImage(parseNormalizedNamed(input), mapping), expected);
      });
    }
  });
});

describe('reverseRepository', () => {
  it('names the source of a mapped repository', async (t) => {
    const cases = [
      ['backup.example.com/lifeboat/docker.io/library/nginx:1.25', nested, 'docker.io/library/nginx'],
      ['backup.example.com/lifeboat/localhost_5000/foo', nested, 'localhost:5000/foo'],
      ['backup.example.com/lifeboat/ipv6__2001xdb8xx1_5000/a/b', nested, '[2001:db8::1]:5000/a/b'],
      ['backup.example.com/lifeboat/quay.io-a--b-c', flat, 'quay.io/a-b/c'],
      ['backup.example.com/lifeboat/xn---n3h.com-x', flat, 'xn--n3h.com/x'],
      ['localhost:5000/docker.io-library-nginx', bareFlat, 'docker.io/library/nginx'],
    ] as const;
    for (const [input, mapping, expected] of cases) {
      await t.test(`${input} → ${expected}`, () => {
        assert.equal(reverseRepository(parseNormalizedNamed(input), mapping).string(), expected);
      });
    }
  });

  it('refuses repositories outside the backup area or that no source maps to', async (t) => {
    const cases: readonly (readonly [string, BackupMapping, MappingErrorCode])[] = [
      ['quay.io/lifeboat/docker.io/library/nginx', nested, 'MAPPING_NOT_BACKUP'],
      ['backup.example.com/other/docker.io/library/nginx', nested, 'MAPPING_NOT_BACKUP'],
      ['backup.example.com/lifeboat/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/docker.io/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/host_x/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/a__b/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/ipv6__zz/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/ipv6__1/nginx', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/foo/bar', nested, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/quay.io-a/b', flat, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/quay.io', flat, 'MAPPING_NOT_REVERSIBLE'],
      ['backup.example.com/lifeboat/docker.io-nginx', flat, 'MAPPING_NOT_REVERSIBLE'],
    ];
    for (const [input, mapping, code] of cases) {
      await t.test(`${input} → ${code}`, () => {
        assert.throws(() => reverseRepository(parseNormalizedNamed(input), mapping), {
          name: 'MappingError',
          code,
          target: parseNormalizedNamed(input).name(),
        });
      });
    }
  });
});

// A small deterministic PRNG (mulberry32) so generated cases are the same on every run.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateNames(count: number, seed: number): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const alnum = (max: number, alphabet = 'abz019'): string =>
    Array.from({ length: 1 + Math.floor(random() * max) }, () => pick([...alphabet])).join('');
  const component = (): string => {
    let out = alnum(3);
    const parts = Math.floor(random() * 4);
    for (let i = 0; i < parts; i += 1) out += pick(['.', '_', '__', '-', '--', '---']) + alnum(3);
    return out;
  };
  const label = (): string => {
    let out = alnum(3, 'abAB09');
    if (random() < 0.4) out += pick(['-', '--', '---']) + alnum(3, 'abAB09');
    return out;
  };
  const ipv6 = (): string =>
    pick(['::', '::1', '2001:db8::', 'fe80::1:2', '1:2:3:4:5:6:7:8', 'A:b::C', ':', '2001:DB8:0:0:0:0:0:1']);
  const host = (): string => {
    const port = random() < 0.4 ? `:${pick(['1', '80', '5000', '05000', '65535'])}` : '';
    switch (Math.floor(random() * 5)) {
      case 0:
        return `[${ipv6()}]${port}`;
      case 1:
        return pick(['docker.io', 'index.docker.io', 'localhost', 'quay.io']) + port;
      case 2:
        return `${label()}${port || ':1'}`;
      default:
        return Array.from({ length: 2 + Math.floor(random() * 3) }, label).join('.') + port;
    }
  };
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const path = Array.from({ length: 1 + Math.floor(random() * 3) }, component).join('/');
    names.push(random() < 0.15 ? path : `${host()}/${path}`);
  }
  return names;
}

function checkProperties(names: readonly string[], mapping: BackupMapping): number {
  const owners = new Map<string, string>();
  let mappedCount = 0;
  for (const name of names) {
    const source = parseNormalizedNamed(name);
    let target;
    try {
      target = mapRepository(source, mapping);
    } catch (error) {
      // Only impossible cases may fail: too long, or a host that is a host only through uppercase.
      assert.ok(error instanceof MappingError, String(error));
      assert.ok(
        ['MAPPING_NAME_TOO_LONG', 'MAPPING_INVALID_SOURCE'].includes(error.code),
        `${name}: ${error.code}`,
      );
      continue;
    }
    mappedCount += 1;
    const canonical = canonicalSource(source).name();
    // Valid: the target parses back, with Docker's normalisation, to itself.
    const reparsed = parseNormalizedNamed(target.name());
    assert.equal(reparsed.name(), target.name(), name);
    assert.ok(isBackupImage(reparsed, mapping), name);
    // Reversible: the target names its source.
    assert.equal(reverseRepository(reparsed, mapping).name(), canonical, name);
    // Injective: no other source has this target.
    const owner = owners.get(target.name());
    assert.ok(owner === undefined || owner === canonical, `${owner} and ${canonical} share ${target.name()}`);
    owners.set(target.name(), canonical);
  }
  return mappedCount;
}

describe('mapping properties over generated names', () => {
  const names = generateNames(4000, 20261122).filter((name) => {
    try {
      parseNormalizedNamed(name);
      return true;
    } catch {
      return false;
    }
  });

  it('generates a broad set of valid source names', () => {
    assert.ok(names.length > 3000, `only ${names.length} valid names`);
    assert.ok(names.some((n) => n.startsWith('[')));
    assert.ok(names.some((n) => /^[^/]*:\d+\//.test(n)));
    assert.ok(names.some((n) => /[A-Z]/.test(n.split('/')[0] ?? '')));
  });

  for (const [label, mapping] of [
    ['nested with prefix', nested],
    ['flattened with prefix', flat],
    ['nested without prefix', bare],
    ['flattened without prefix', bareFlat],
  ] as const) {
    it(`is valid, injective and reversible: ${label}`, () => {
      const count = checkProperties(names, mapping);
      assert.ok(count > names.length * 0.9, `only ${count} of ${names.length} mapped`);
    });
  }

  it('flattening is injective over every valid path of up to 9 characters over a, ".", "_", "-", "/"', () => {
    const alphabet = ['a', '.', '_', '-', '/'];
    const paths: string[] = [];
    let frontier = [''];
    for (let length = 1; length <= 9; length += 1) {
      const next: string[] = [];
      for (const prefix of frontier) for (const c of alphabet) next.push(prefix + c);
      for (const candidate of next) {
        if (
          /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(
            candidate,
          )
        ) {
          paths.push(candidate);
        }
      }
      frontier = next;
    }
    assert.equal(paths.length, 3051);
    const sources = paths.map((p) => `quay.io/${p}`);
    assert.equal(checkProperties(sources, flat), sources.length);
    assert.equal(checkProperties(sources, nested), sources.length);
  });
});
