import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  EVERYTHING,
  formatLabelSelector,
  LabelSelectorError,
  matchesLabels,
  matchExpressions,
  parseLabelSelector,
  type LabelRequirement,
} from './label-selector.ts';

describe('parseLabelSelector', () => {
  const cases: [string, LabelRequirement[]][] = [
    ['', []],
    ['   ', []],
    ['env', [{ key: 'env', operator: 'exists' }]],
    ['!env', [{ key: 'env', operator: 'notExists' }]],
    ['! env', [{ key: 'env', operator: 'notExists' }]],
    ['lifeboat.dev/enabled=true', [{ key: 'lifeboat.dev/enabled', operator: 'in', values: ['true'] }]],
    ['env==prod', [{ key: 'env', operator: 'in', values: ['prod'] }]],
    ['env = prod', [{ key: 'env', operator: 'in', values: ['prod'] }]],
    ['env!=prod', [{ key: 'env', operator: 'notIn', values: ['prod'] }]],
    ['env=', [{ key: 'env', operator: 'in', values: [''] }]],
    ['env==', [{ key: 'env', operator: 'in', values: [''] }]],
    ['env in (prod, staging)', [{ key: 'env', operator: 'in', values: ['prod', 'staging'] }]],
    ['env notin (dev,test,dev)', [{ key: 'env', operator: 'notIn', values: ['dev', 'test'] }]],
    ['in=1', [{ key: 'in', operator: 'in', values: ['1'] }]],
    [
      'a=b,!c, d in (e),f',
      [
        { key: 'a', operator: 'in', values: ['b'] },
        { key: 'c', operator: 'notExists' },
        { key: 'd', operator: 'in', values: ['e'] },
        { key: 'f', operator: 'exists' },
      ],
    ],
    ['My_Key.x-1=V_a.l-ue', [{ key: 'My_Key.x-1', operator: 'in', values: ['V_a.l-ue'] }]],
  ];
  for (const [text, want] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseLabelSelector(text).requirements, want));
  }

  const malformed: [string, RegExp][] = [
    [',', /expected a label key at "," \(offset 0\)/],
    ['a,', /expected a requirement after the comma/],
    ['a,,b', /expected a label key at ","/],
    ['a b', /expected '=', '==', '!=', 'in', 'notin'/],
    ['a in ()', /needs at least one value/],
    ['a in (b', /expected ',' or '\)' at the end/],
    ['a in b', /expected '\('/],
    ['a notin', /expected '\(' at the end|expected '\('/],
    ['a=b=c', /expected ',' between requirements/],
    ['a=(b)', /expected a label value/],
    ['a>1', /numeric operators/],
    ['=b', /expected a label key/],
    ['!', /expected a label key at the end/],
    ['-a=b', /label key name/],
    ['a-=b', /label key name/],
    [`${'k'.repeat(64)}=v`, /label key name/],
    ['Bad.Prefix/a=b', /prefix is a DNS subdomain/],
    ['/a=b', /prefix is a DNS subdomain/],
    ['p/=b', /label key name/],
    ['a=b/c', /label value/],
    [`a=${'v'.repeat(64)}`, /label value/],
    ['a=-v', /label value/],
    ['a===b', /expected a label value/],
  ];
  for (const [text, want] of malformed) {
    it(`refuses ${JSON.stringify(text)} with a typed error saying where`, () => {
      assert.throws(
        () => parseLabelSelector(text),
        (err: unknown) =>
          err instanceof LabelSelectorError &&
          err.code === 'LABEL_SELECTOR_INVALID' &&
          !err.temporary &&
          want.test(err.message),
      );
    });
  }

  it('reads back its own canonical form', () => {
    for (const [text] of cases) {
      const parsed = parseLabelSelector(text);
      assert.deepEqual(parseLabelSelector(formatLabelSelector(parsed)), parsed, text);
    }
  });

  it('returns a selector or a LabelSelectorError for any text over its alphabet', () => {
    const alphabet = fc.constantFrom(...'ab.-_/ =!,()<>\tin notin'.split(''), 'in', 'notin', 'a/b', '');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        try {
          const s = parseLabelSelector(parts.join(''));
          assert.ok(Array.isArray(s.requirements));
        } catch (err) {
          if (!(err instanceof LabelSelectorError)) throw err;
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('matchesLabels', () => {
  const labels = { env: 'prod', tier: 'web', 'lifeboat.dev/enabled': 'true' };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', undefined, true],
    ['env', labels, true],
    ['env', undefined, false],
    ['!env', labels, false],
    ['!team', labels, true],
    ['!team', undefined, true],
    ['env=prod', labels, true],
    ['env==staging', labels, false],
    ['team=x', labels, false],
    ['env!=staging', labels, true],
    ['env!=prod', labels, false],
    ['team!=x', labels, true],
    ['env in (staging,prod)', labels, true],
    ['env in (staging)', labels, false],
    ['team in (x)', labels, false],
    ['env notin (prod)', labels, false],
    ['env notin (dev)', labels, true],
    ['team notin (x)', labels, true],
    ['lifeboat.dev/enabled=true', labels, true],
    ['lifeboat.dev/enabled=true', { 'lifeboat.dev/enabled': 'false' }, false],
    ['env=prod,tier=db', labels, false],
    ['env=prod,tier=web,!team', labels, true],
    ['toString', {}, false],
  ];
  for (const [selector, given, want] of cases) {
    it(`${JSON.stringify(selector)} on ${JSON.stringify(given)} is ${want}`, () =>
      assert.equal(matchesLabels(parseLabelSelector(selector), given), want));
  }

  it('EVERYTHING matches anything', () => assert.equal(matchesLabels(EVERYTHING, {}), true));
});

describe('matchExpressions', () => {
  it('spells each requirement as the API does, selecting the same label sets', () => {
    const selector = parseLabelSelector('a, !b, c=1, d!=2, e in (3,4), f notin (5)');
    assert.deepEqual(matchExpressions(selector), [
      { key: 'a', operator: 'Exists' },
      { key: 'b', operator: 'DoesNotExist' },
      { key: 'c', operator: 'In', values: ['1'] },
      { key: 'd', operator: 'NotIn', values: ['2'] },
      { key: 'e', operator: 'In', values: ['3', '4'] },
      { key: 'f', operator: 'NotIn', values: ['5'] },
    ]);
    assert.deepEqual(matchExpressions(parseLabelSelector('')), []);
  });
});
