// What a source check writes and records, as a table over the condition before and the answer now:
// each Event once per change, never once per check; gone or unreachable changes nothing else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, ImageBackupStatus } from '../api/image-backup-schema.ts';
import type { OnSourceChange } from './recheck-decision.ts';
import { sourceCheckOutcome, sourceStateOf } from './source-check-status.ts';
import type { SourceProbe } from './source-probe.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const NOW = new Date('2026-02-01T00:00:00.000Z');
const BEFORE = '2026-01-01T00:00:00.000Z';
const READY: Condition = {
  type: 'Ready',
  status: 'True',
  lastTransitionTime: BEFORE,
  reason: 'Copied',
  message: 'copied',
};
const source = (status: 'True' | 'False', reason: string): Condition => ({
  type: 'SourceAvailable',
  status,
  lastTransitionTime: BEFORE,
  reason,
  message: '',
});
const status = (o: Partial<ImageBackupStatus> = {}): ImageBackupStatus => ({
  phase: 'Ready',
  sourceDigest: A,
  targetDigest: A,
  conditions: [READY],
  ...o,
});
type Probe = Exclude<SourceProbe, { kind: 'throttled' }>;
const found = (digest: string): Probe => ({ kind: 'found', digest });
const gone: Probe = { kind: 'gone', reason: 'NotFound', message: 'not found' };
const denied: Probe = { kind: 'gone', reason: 'Unauthorized', message: '401' };
const unreachable: Probe = { kind: 'unreachable', message: 'ECONNREFUSED' };

const cases: [string, ImageBackupStatus, Probe, OnSourceChange, string[], string, string | undefined][] = [
  // name, before, answer, policy, events, condition status/reason, follow
  ['first check, same digest', status(), found(A), 'keep', [], 'True/Available', undefined],
  [
    'same digest again',
    status({ conditions: [READY, source('True', 'Available')], sourceLatestDigest: A }),
    found(A),
    'keep',
    [],
    'True/Available',
    undefined,
  ],
  ['tag moved, keep', status(), found(B), 'keep', ['SourceChanged'], 'True/Available', undefined],
  [
    'tag moved, keep, seen before: no second Event',
    status({ sourceLatestDigest: B, conditions: [READY, source('True', 'Available')] }),
    found(B),
    'keep',
    [],
    'True/Available',
    undefined,
  ],
  [
    'tag moved again, keep',
    status({ sourceLatestDigest: B }),
    found(C),
    'keep',
    ['SourceChanged'],
    'True/Available',
    undefined,
  ],
  ['tag moved, follow', status(), found(B), 'follow', ['SourceChanged'], 'True/Available', B],
  [
    'tag moved back to the backed-up digest, follow: nothing to copy',
    status({ sourceLatestDigest: B }),
    found(A),
    'follow',
    ['SourceChanged'],
    'True/Available',
    undefined,
  ],
  ['source gone', status(), gone, 'keep', ['SourceGone'], 'False/NotFound', undefined],
  [
    'source still gone: no second Event',
    status({ conditions: [READY, source('False', 'NotFound')] }),
    gone,
    'follow',
    [],
    'False/NotFound',
    undefined,
  ],
  [
    'gone, then refusing every login: the reason changed',
    status({ conditions: [READY, source('False', 'NotFound')] }),
    denied,
    'keep',
    ['SourceGone'],
    'False/Unauthorized',
    undefined,
  ],
  ['unreachable', status(), unreachable, 'keep', ['SourceGone'], 'False/Unreachable', undefined],
  [
    'back',
    status({ conditions: [READY, source('False', 'NotFound')] }),
    found(A),
    'keep',
    ['SourceBack'],
    'True/Available',
    undefined,
  ],
  [
    'back with another digest, follow',
    status({ conditions: [READY, source('False', 'NotFound')] }),
    found(B),
    'follow',
    ['SourceBack', 'SourceChanged'],
    'True/Available',
    B,
  ],
];

describe('sourceCheckOutcome', () => {
  for (const [name, before, probe, policy, events, condition, follow] of cases) {
    it(name, () => {
      const o = sourceCheckOutcome(before, probe, 'src.example/app:1', policy, 1, NOW);
      assert.deepEqual(
        o.events.map((e) => e.reason),
        events,
      );
      const c = o.status.conditions?.find((x) => x.type === 'SourceAvailable');
      assert.equal(`${c?.status}/${c?.reason}`, condition);
      assert.equal(o.follow, follow);
      assert.equal(o.status.sourceCheckedAt, NOW.toISOString());
      assert.deepEqual(
        o.status.conditions?.find((x) => x.type === 'Ready'),
        READY,
        'the Ready condition is left as it was',
      );
      // Nothing but the check's own fields: phase, digests and pins stay.
      assert.deepEqual(
        Object.keys(o.status).filter(
          (k) => !['sourceCheckedAt', 'sourceLatestDigest', 'conditions'].includes(k),
        ),
        [],
      );
      if (probe.kind === 'found') assert.equal(o.status.sourceLatestDigest, probe.digest);
      for (const e of o.events) assert.equal(e.type, e.reason === 'SourceGone' ? 'Warning' : 'Normal');
    });
  }

  it('SourceChanged names both digests', () => {
    const o = sourceCheckOutcome(status(), found(B), 'src.example/app:1', 'keep', 1, NOW);
    assert.match(o.events[0]!.note, new RegExp(`from ${A} to ${B}`));
  });

  it('the transition time stays while the condition keeps its status', () => {
    const o = sourceCheckOutcome(
      status({ conditions: [READY, source('False', 'NotFound')] }),
      denied,
      'src.example/app:1',
      'keep',
      1,
      NOW,
    );
    assert.equal(o.status.conditions?.find((x) => x.type === 'SourceAvailable')?.lastTransitionTime, BEFORE);
  });
});

describe('sourceStateOf', () => {
  const table: [ImageBackupStatus, string | undefined][] = [
    [status(), undefined],
    [status({ conditions: [source('True', 'Available')], sourceLatestDigest: A }), 'available'],
    [status({ conditions: [source('True', 'Available')], sourceLatestDigest: B }), 'changed'],
    [status({ conditions: [source('False', 'NotFound')] }), 'gone'],
    [status({ conditions: [source('False', 'Unauthorized')] }), 'gone'],
    [status({ conditions: [source('False', 'Unreachable')] }), 'unreachable'],
  ];
  for (const [s, want] of table)
    it(`${JSON.stringify(s.conditions?.[0]?.reason ?? 'never checked')} ${s.sourceLatestDigest ?? ''}: ${want}`, () =>
      assert.equal(sourceStateOf(s), want));
});
