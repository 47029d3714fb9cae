import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageBackup, ImageBackupStatus } from '../api/image-backup-schema.ts';
import { decide, type Snapshot, type Step } from './decide.ts';
import { sourceCheckDueAt } from './source-check-schedule.ts';

const backup = (
  generation: number,
  status?: ImageBackupStatus,
  meta: Record<string, unknown> = {},
): ImageBackup => ({
  metadata: { name: 'b', uid: 'u', resourceVersion: '7', generation, ...meta },
  spec: { source: 'docker.io/library/nginx:1.25', target: 'backup.example/lifeboat/nginx:1.25' },
  ...(status ? { status } : {}),
});

const DIGESTS = { sourceDigest: `sha256:${'a'.repeat(64)}`, targetDigest: `sha256:${'a'.repeat(64)}` };
const T0 = '2026-01-01T00:00:00.000Z';
const HOUR = 3_600_000;
/** The jitter the schedule gives `name` checked at `checkedAt` (source-check-schedule.ts). */
const jitterOf = (name: string, checkedAt: string): number =>
  (sourceCheckDueAt(
    { metadata: { name }, spec: { source: 's', target: 't' }, status: { sourceCheckedAt: checkedAt } },
    { intervalMs: HOUR, leaderSince: 0 },
  ) ?? NaN) -
  Date.parse(checkedAt) -
  HOUR;

describe('decide', () => {
  const cases: [string, Snapshot, Step][] = [
    ['no object', { backup: undefined, retryDue: true }, { kind: 'none', reason: 'gone' }],
    [
      'being deleted',
      { backup: backup(1, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }), retryDue: true },
      { kind: 'none', reason: 'deleting' },
    ],
    [
      'just created: no status',
      { backup: backup(1), retryDue: true },
      { kind: 'copy', generation: 1, reason: 'new' },
    ],
    [
      'a status without a phase',
      { backup: backup(1, {}), retryDue: true },
      { kind: 'copy', generation: 1, reason: 'new' },
    ],
    [
      'Pending set by the workload controller on a copied backup',
      { backup: backup(1, { phase: 'Pending', observedGeneration: 1 }), retryDue: true },
      { kind: 'copy', generation: 1, reason: 'pending' },
    ],
    [
      'Pending, even while a backoff runs',
      { backup: backup(1, { phase: 'Pending', observedGeneration: 1 }), retryDue: false },
      { kind: 'copy', generation: 1, reason: 'pending' },
    ],
    [
      'Ready for its generation',
      { backup: backup(3, { phase: 'Ready', observedGeneration: 3 }), retryDue: true },
      { kind: 'none', reason: 'ready' },
    ],
    [
      'Ready for an older generation: a recheck, not a copy',
      { backup: backup(4, { phase: 'Ready', observedGeneration: 3 }), retryDue: true },
      { kind: 'recheck', generation: 4, reason: 'spec-changed' },
    ],
    [
      'Pending set by the workload controller on a backup that was Ready: a recheck, not a copy',
      { backup: backup(2, { phase: 'Pending', observedGeneration: 2, ...DIGESTS }), retryDue: true },
      { kind: 'recheck', generation: 2, reason: 'manifest-missing' },
    ],
    [
      'Degraded, the backoff running',
      { backup: backup(2, { phase: 'Degraded', observedGeneration: 2, ...DIGESTS }), retryDue: false },
      { kind: 'wait', reason: 'backoff' },
    ],
    [
      'Degraded, the backoff over: a recheck (never a copy from the source by its tag)',
      { backup: backup(2, { phase: 'Degraded', observedGeneration: 2, ...DIGESTS }), retryDue: true },
      { kind: 'recheck', generation: 2, reason: 'degraded' },
    ],
    [
      'Degraded for an older generation: a recheck at once',
      { backup: backup(3, { phase: 'Degraded', observedGeneration: 2, ...DIGESTS }), retryDue: false },
      { kind: 'recheck', generation: 3, reason: 'spec-changed' },
    ],
    [
      'Ready, source checks on, not due yet: when',
      {
        backup: backup(3, { phase: 'Ready', observedGeneration: 3, ...DIGESTS, sourceCheckedAt: T0 }),
        retryDue: true,
        sourceCheck: { intervalMs: HOUR, leaderSince: Date.parse(T0), now: Date.parse(T0) + HOUR / 2 },
      },
      { kind: 'none', reason: 'ready', nextCheckInMs: HOUR / 2 + jitterOf('b', T0) },
    ],
    [
      'Ready, source checks on, due',
      {
        backup: backup(3, { phase: 'Ready', observedGeneration: 3, ...DIGESTS, sourceCheckedAt: T0 }),
        retryDue: true,
        sourceCheck: { intervalMs: HOUR, leaderSince: Date.parse(T0), now: Date.parse(T0) + 2 * HOUR },
      },
      { kind: 'check-source' },
    ],
    [
      'Ready, not yet seen by this leader: a recheck of the backup registry',
      {
        backup: backup(3, { phase: 'Ready', observedGeneration: 3, ...DIGESTS }),
        retryDue: true,
        checkedSinceLeader: false,
      },
      { kind: 'recheck', generation: 3, reason: 'leader-changed' },
    ],
    [
      'Ready, seen by this leader, source checks on: no recheck before the check',
      {
        backup: backup(3, { phase: 'Ready', observedGeneration: 3, ...DIGESTS, sourceCheckedAt: T0 }),
        retryDue: true,
        checkedSinceLeader: true,
        sourceCheck: { intervalMs: HOUR, leaderSince: Date.parse(T0), now: Date.parse(T0) + 2 * HOUR },
      },
      { kind: 'check-source' },
    ],
    [
      'Ready, source checks off (interval 0)',
      {
        backup: backup(3, { phase: 'Ready', observedGeneration: 3, ...DIGESTS }),
        retryDue: true,
        sourceCheck: { intervalMs: 0, leaderSince: 0, now: 10 * HOUR },
      },
      { kind: 'none', reason: 'ready' },
    ],
    [
      'Failed, the backoff running',
      { backup: backup(2, { phase: 'Failed', observedGeneration: 2 }), retryDue: false },
      { kind: 'wait', reason: 'backoff' },
    ],
    [
      'Failed, the backoff over',
      { backup: backup(2, { phase: 'Failed', observedGeneration: 2 }), retryDue: true },
      { kind: 'copy', generation: 2, reason: 'retry' },
    ],
    [
      'Failed for an older generation: the new spec at once',
      { backup: backup(3, { phase: 'Failed', observedGeneration: 2 }), retryDue: false },
      { kind: 'copy', generation: 3, reason: 'spec-changed' },
    ],
    [
      'Copying left by a leader that stopped',
      { backup: backup(1, { phase: 'Copying', observedGeneration: 1 }), retryDue: true },
      { kind: 'copy', generation: 1, reason: 'interrupted' },
    ],
    [
      'no generation from the API server counts as 0',
      {
        backup: backup(0, { phase: 'Ready', observedGeneration: 0 }, { generation: undefined }),
        retryDue: true,
      },
      { kind: 'none', reason: 'ready' },
    ],
  ];
  for (const [name, snapshot, want] of cases) {
    it(`${name}: ${want.kind}`, () => assert.deepEqual(decide(snapshot), want));
  }
});
