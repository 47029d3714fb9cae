// Property tests of the reference parser and the backup mapping (issue 16 item 6): any text yields
// a reference or an InvalidReferenceError, a parsed reference reads back as itself, and mapping a
// source into the backup area yields a MappingError or a repository that maps back to the source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters, mutated, over, resultOrTypedError } from '../common/fuzz.test-support.ts';
import {
  backupMapping,
  canonicalSource,
  describeReference,
  familiarString,
  InvalidReferenceError,
  isBackupImage,
  mapRepository,
  MappingError,
  parse,
  parseDockerRef,
  parseNamed,
  parseNormalizedNamed,
  reverseRepository,
  rewriteReference,
} from './index.ts';

const HEX = '0123456789abcdef';
const hex = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...HEX), { minLength: n, maxLength: n }).map((c) => c.join(''));
const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
  fc
    .tuple(fc.constantFrom('sha256', 'sha384', 'md5', 'SHA256', 'sha256+b64'), hex(64))
    .map(([a, h]) => `${a}:${h}`),
);
const domain = fc.constantFrom(
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'localhost',
  'localhost:5000',
  'example.com',
  'Example.COM:443',
  'a.b-c.example',
  '[::1]:5000',
  '[2001:db8::1]',
  '127.0.0.1:5000',
  'xn--bcher-kva.example',
);
const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,2}$/);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
/** References as workloads write them: optional domain, 1–4 path components, tag and/or digest. */
const wellFormed = fc
  .tuple(
    fc.option(domain, { nil: undefined }),
    fc.array(component, { minLength: 1, maxLength: 4 }),
    fc.option(tag, { nil: undefined }),
    fc.option(digest, { nil: undefined }),
  )
  .map(
    ([d, path, t, dg]) =>
      `${d === undefined ? '' : `${d}/`}${path.join('/')}${t === undefined ? '' : `:${t}`}${dg === undefined ? '' : `@${dg}`}`,
  );
const ALPHABET = [...'abzAZ09._-/:@[]+ ', 'sha256:', '__', '--', '..', '//', '::', 'docker.io/', 'library/'];
/** Near-valid references, text over the grammar's alphabet, long ones, and any Unicode. */
const anyReference = fc.oneof(
  { weight: 4, arbitrary: mutated(wellFormed, ALPHABET) },
  { weight: 3, arbitrary: wellFormed },
  { weight: 2, arbitrary: over(ALPHABET) },
  { weight: 1, arbitrary: over(['a', 'a/', 'a.', '-', '_', ':', '@', '0'], 400) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);

const MAPPINGS = [
  backupMapping({ backupRegistry: 'backup.example.com', prefix: 'lifeboat' }),
  backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'a/b', flatten: true }),
  backupMapping({ backupRegistry: 'localhost:5000' }),
];

describe('reference parser, fuzzed', () => {
  it('parse, parseNamed, parseNormalizedNamed and parseDockerRef: a reference or an InvalidReferenceError', () => {
    fc.assert(
      fc.property(anyReference, (text) => {
        for (const read of [parse, parseNamed, parseNormalizedNamed, parseDockerRef]) {
          const r = resultOrTypedError(() => read(text), InvalidReferenceError);
          if (r.ok) assert.equal(typeof r.value.string(), 'string');
          else assert.ok(r.error.message.length > 0);
        }
        const described = describeReference(text, MAPPINGS[0]);
        assert.equal(described.input, text);
      }),
      fuzzParameters(),
    );
  });

  it('a normalised reference reads back as itself, familiar form included', () => {
    fc.assert(
      fc.property(anyReference, (text) => {
        const r = resultOrTypedError(() => parseNormalizedNamed(text), InvalidReferenceError);
        if (!r.ok) return;
        const again = parseNormalizedNamed(r.value.string());
        assert.equal(again.string(), r.value.string());
        // Docker's familiar form drops `docker.io/`, so a Docker Hub path whose first component
        // looks like a host (`docker.io/0.a/x` → `0.a/x`) reads back elsewhere, in Docker too
        // (distribution/reference FamiliarString); Docker Hub namespaces never have '.' or ':'.
        const first = r.value.path.split('/')[0] ?? '';
        const hostLike = first.includes('.') || first.includes(':') || first === 'localhost';
        if (!(r.value.domain === 'docker.io' && hostLike))
          assert.equal(parseNormalizedNamed(familiarString(r.value)).string(), r.value.string());
      }),
      fuzzParameters(),
    );
  });

  it('mapping a source: a MappingError, or a backup repository that maps back to the source', () => {
    fc.assert(
      fc.property(
        anyReference,
        fc.constantFrom(...MAPPINGS),
        fc.option(digest, { nil: undefined }),
        (text, mapping, copied) => {
          const source = resultOrTypedError(() => parseNormalizedNamed(text), InvalidReferenceError);
          if (!source.ok) return;
          const mapped = resultOrTypedError(() => mapRepository(source.value, mapping), MappingError);
          if (!mapped.ok) return;
          assert.ok(isBackupImage(mapped.value, mapping), `${mapped.value.name()} is in the backup area`);
          assert.equal(reverseRepository(mapped.value, mapping).name(), canonicalSource(source.value).name());
          resultOrTypedError(() => rewriteReference(source.value, mapping, { digest: copied }), MappingError);
        },
      ),
      fuzzParameters(),
    );
  });
});
