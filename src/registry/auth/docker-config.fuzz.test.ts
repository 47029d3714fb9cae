// Property tests of the docker config parsers (issue 16 item 6): a pull Secret's `.dockerconfigjson`
// and a `config.json`, whatever a tenant or a user wrote, yield a document or a typed error whose
// message holds none of the credentials; and matching the document's keys against registry hosts
// answers in linear time. Fuzzing found the one bug fixed here: label globs were RegExps that
// backtracked polynomially in the number of `*` (registry-pattern.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters, mutated, over, resultOrTypedError } from '../../common/fuzz.test-support.ts';
import { CredentialsParseError } from './credentials.ts';
import { dockerConfigKeychain } from './docker-config.ts';
import { InvalidDockerConfigError, parseDockerConfigJson } from './pull-secret.ts';
import { labelMatches } from './registry-pattern.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** Secrets carry a marker no key, field name or message contains by chance. */
const secret = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `S3CR3T${s}`);
const KEY_PARTS = [
  ...'abz09.-:/*?[]',
  'docker.io',
  'https://',
  'http://',
  'ftp://',
  '/v1/',
  '/v2/',
  ':5000',
  'quay.io',
];
const key = fc.oneof(
  fc.constantFrom(
    'docker.io',
    'https://index.docker.io/v1/',
    'quay.io/team',
    '*.gcr.io',
    'localhost:5000',
    '[::1]:5000',
  ),
  mutated(fc.constantFrom('registry.example.com:5000/team', 'eu.gcr.io'), KEY_PARTS),
  over(KEY_PARTS, 8),
);
const entry = fc.record(
  {
    auth: fc.oneof(
      fc.tuple(secret, secret).map(([u, p]) => b64(`${u}:${p}`)),
      secret.map((p) => b64(p)), // no colon
      secret, // not base64
      fc.jsonValue({ maxDepth: 1 }),
    ),
    username: fc.oneof(secret, fc.jsonValue({ maxDepth: 1 })),
    password: fc.oneof(secret, fc.jsonValue({ maxDepth: 1 })),
    identitytoken: fc.oneof(secret, fc.jsonValue({ maxDepth: 1 })),
    email: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: [] },
);
const config = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      auths: fc.dictionary(
        key,
        fc.oneof({ weight: 5, arbitrary: entry }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
        { maxKeys: 4 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { credsStore: fc.string(), auths: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: ['credsStore'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const JSON_CHARS = [...'{}[]",:\\ ', 'null', '"auths"', '"auth"', '=='];
const text = fc.oneof(
  { weight: 6, arbitrary: config.map((c) => JSON.stringify(c)) },
  {
    weight: 2,
    arbitrary: mutated(
      config.map((c) => JSON.stringify(c)),
      JSON_CHARS,
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);
const HOSTS = [
  'docker.io',
  'quay.io',
  'eu.gcr.io',
  'localhost:5000',
  'registry.example.com:5000',
  '[::1]:5000',
];

/** Every credential string in `text` (the markers), to check an error message quotes none. */
const secretsIn = (t: string): string[] => [...t.matchAll(/S3CR3T[^"\\]*/g)].map((m) => m[0]);

describe('docker config parsers, fuzzed', () => {
  it('a .dockerconfigjson: a document whose matches answer, or an InvalidDockerConfigError quoting no credential', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...HOSTS), fc.string({ maxLength: 12 }), (data, host, path) => {
        const doc = resultOrTypedError(
          () => parseDockerConfigJson('Secret ns/pull', data),
          InvalidDockerConfigError,
        );
        if (doc.ok) {
          for (const m of doc.value.matches(host, path)) assert.equal(typeof m.fingerprint, 'string');
          assert.ok(
            !secretsIn(data).some((s) => String(doc.value).includes(s)),
            'the document prints no credential',
          );
          return;
        }
        for (const s of secretsIn(data)) assert.ok(!doc.error.message.includes(s), `the message quotes ${s}`);
        const decoded = [...data.matchAll(/"auth":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
          Buffer.from(m[1]!, 'base64').toString(),
        );
        for (const d of decoded.filter((x) => x.length > 3)) assert.ok(!doc.error.message.includes(d));
      }),
      fuzzParameters(),
    );
  });

  it('a config.json: a keychain that resolves any host, or a CredentialsParseError quoting no credential', () => {
    fc.assert(
      fc.property(config, fc.constantFrom(...HOSTS, 'Docker.IO', 'https://quay.io/v2/'), (value, host) => {
        const chain = resultOrTypedError(() => dockerConfigKeychain(value), CredentialsParseError);
        if (chain.ok) {
          assert.ok(chain.value.resolve(host) !== undefined);
          return;
        }
        for (const s of secretsIn(JSON.stringify(value))) assert.ok(!chain.error.message.includes(s));
      }),
      fuzzParameters(),
    );
  });

  it('a label glob matches as the RegExp it stands for, in linear time', () => {
    const globChar = fc.constantFrom('a', 'b', '*', '?', '-');
    const labelChar = fc.constantFrom('a', 'b', '-');
    fc.assert(
      fc.property(
        fc.array(globChar, { maxLength: 8 }).map((c) => c.join('')),
        fc.array(labelChar, { maxLength: 10 }).map((c) => c.join('')),
        (glob, label) => {
          const source = [...glob]
            .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace('-', '\\-')))
            .join('');
          assert.equal(
            labelMatches(glob, label),
            new RegExp(`^${source}$`).test(label),
            `${glob} ~ ${label}`,
          );
        },
      ),
      fuzzParameters(),
    );
  });

  it('a pull Secret keyed with many stars is matched at once (it held the controller before)', () => {
    const doc = parseDockerConfigJson(
      'Secret tenant/evil',
      JSON.stringify({ auths: { [`${'*'.repeat(40)}x.example.com`]: { username: 'u', password: 'p' } } }),
    );
    assert.deepEqual(doc.matches(`${'a'.repeat(63)}.example.com`, 'app'), []);
    assert.equal(doc.matches(`${'a'.repeat(62)}x.example.com`, 'app').length, 1);
  });
});
