// Property tests of the WWW-Authenticate parser (issue 16 item 6). It is lenient by design (a
// registry's odd header degrades to "no usable challenge"), so the property is stronger than "a
// typed error": any header value yields challenges, never a throw; schemes and parameter names are
// lower-case tokens; and a well-formed Bearer challenge, however it is spaced, quoted or escaped,
// reads back with its realm, service and scopes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters, mutated, over } from '../../common/fuzz.test-support.ts';
import { parseChallenges, selectChallenge, splitScopes } from './challenge.ts';
import { parseScope } from './scope.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const blank = fc.constantFrom('', ' ', '  ', '\t');
/** A quoted-string: any printable text, `"` and `\` escaped. */
const quoted = fc
  .string({ maxLength: 30, unit: fc.constantFrom(...'abc:/._- ,="\\', 'é') })
  .map((v) => ({ value: v, text: `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` }));
const scope = fc
  .tuple(
    fc.constantFrom('repository', 'registry'),
    fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9]+){0,2}$/),
    fc.constantFrom('pull', 'push,pull', '*'),
  )
  .map(([type, name, actions]) => `${type}:${name}:${actions}`);
const bearer = fc
  .record({
    scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER'),
    realm: quoted,
    service: quoted,
    scopes: fc.array(scope, { maxLength: 3 }),
    sp: fc.array(blank, { minLength: 6, maxLength: 6 }),
  })
  .map(({ scheme, realm, service, scopes, sp }) => ({
    header: `${scheme} ${sp[0]}realm${sp[1]}=${sp[2]}${realm.text}${sp[3]},${sp[4]}service=${service.text},scope="${scopes.join(' ')}"${sp[5]}`,
    realm: realm.value,
    service: service.value,
    scopes,
  }));
const HEADER_PARTS = [
  ...'abBr ,="\\\t=:/',
  'Bearer ',
  'Basic ',
  'realm=',
  'scope=',
  'error="insufficient_scope"',
  'Negotiate abc==',
  '\u00ff',
];
const header = fc.oneof(
  {
    weight: 3,
    arbitrary: mutated(
      bearer.map((b) => b.header),
      HEADER_PARTS,
      4,
    ),
  },
  { weight: 2, arbitrary: over(HEADER_PARTS, 20) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: over(['"', '\\', ',', '=', 'a'], 2_000) },
);

describe('WWW-Authenticate parser, fuzzed', () => {
  it('any header value (or several) yields challenges with lower-case token schemes, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(header, fc.array(header, { maxLength: 3 })), (value) => {
        const challenges = parseChallenges(value);
        for (const c of challenges) {
          assert.match(c.scheme, TOKEN);
          for (const name of Object.keys(c.params)) assert.match(name, TOKEN);
        }
        const chosen = selectChallenge(challenges);
        if (chosen.kind === 'bearer') for (const s of chosen.scopes) parseScope(s);
      }),
      fuzzParameters(),
    );
  });

  it('a well-formed Bearer challenge reads back, however spaced, quoted or escaped', () => {
    fc.assert(
      fc.property(bearer, fc.constantFrom('', 'Basic realm="r", ', 'Negotiate abc==, '), (b, before) => {
        const chosen = selectChallenge(parseChallenges(`${before}${b.header}`));
        assert.equal(chosen.kind, 'bearer');
        if (chosen.kind !== 'bearer') return;
        assert.equal(chosen.realm, b.realm);
        assert.equal(chosen.service, b.service);
        assert.deepEqual(chosen.scopes, b.scopes);
        assert.deepEqual(splitScopes(b.scopes.join(' ')), b.scopes);
      }),
      fuzzParameters(),
    );
  });
});
