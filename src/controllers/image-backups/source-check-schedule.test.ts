// The source-check schedule and the per-registry budget as tables (issue 15 item 3): jitter bounds,
// first checks spread over one interval, no burst after a leader change, at most qps HEADs per
// second per registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageBackup, ImageBackupStatus } from '../api/image-backup-schema.ts';
import { createSourceCheckBudget } from './source-check-budget.ts';
import { SOURCE_CHECK_JITTER, sourceCheckDueAt, unitHash } from './source-check-schedule.ts';

const HOUR = 3_600_000;
const INTERVAL = 6 * HOUR;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const backup = (name: string, status: ImageBackupStatus = {}): ImageBackup => ({
  metadata: { name },
  spec: { source: `src.example/${name}:1`, target: `backup.example/${name}:1` },
  status: { phase: 'Ready', ...status },
});
const names = Array.from({ length: 500 }, (_, i) => `backup-${i}`);

describe('sourceCheckDueAt', () => {
  it('interval 0 disables checks', () => {
    assert.equal(sourceCheckDueAt(backup('a'), { intervalMs: 0, leaderSince: T0 }), undefined);
  });

  it('a checked backup is due one interval later, within ±10 %, the same on every reconcile', () => {
    const checkedAt = T0 + HOUR;
    const dues = names.map((n) =>
      sourceCheckDueAt(backup(n, { sourceCheckedAt: iso(checkedAt) }), {
        intervalMs: INTERVAL,
        leaderSince: T0,
      }),
    );
    for (const due of dues) {
      assert.ok(due! >= checkedAt + INTERVAL * (1 - SOURCE_CHECK_JITTER), String(due));
      assert.ok(due! <= checkedAt + INTERVAL * (1 + SOURCE_CHECK_JITTER), String(due));
    }
    assert.ok(new Set(dues).size > names.length * 0.9, 'backups checked together drift apart');
    const again = sourceCheckDueAt(backup(names[0]!, { sourceCheckedAt: iso(checkedAt) }), {
      intervalMs: INTERVAL,
      leaderSince: T0,
    });
    assert.equal(again, dues[0], 'stable: a reconcile woken by another event does not move it');
  });

  it('never-checked backups a new leader finds are spread over one interval, none due at once in a burst', () => {
    const leaderSince = T0 + 10 * HOUR;
    const dues = names.map((n) =>
      sourceCheckDueAt(backup(n, { completedAt: iso(T0) }), { intervalMs: INTERVAL, leaderSince }),
    );
    for (const due of dues) assert.ok(due! >= leaderSince && due! < leaderSince + INTERVAL);
    // Spread: every tenth of the interval holds some, none holds more than twice its share.
    const buckets = new Array<number>(10).fill(0);
    for (const due of dues) buckets[Math.floor(((due! - leaderSince) / INTERVAL) * 10)]!++;
    for (const count of buckets) assert.ok(count > 0 && count < (names.length / 10) * 2, String(buckets));
  });

  it('a backup just copied is not checked before a share of the interval after its copy', () => {
    const completedAt = T0 + 5 * HOUR;
    const due = sourceCheckDueAt(backup('fresh', { completedAt: iso(completedAt) }), {
      intervalMs: INTERVAL,
      leaderSince: T0,
    });
    assert.equal(due, completedAt + Math.floor(unitHash('fresh') * INTERVAL));
  });

  it('no burst after a leader change: checks that fell due while no leader ran spread over the jitter window', () => {
    const leaderSince = T0 + 3 * INTERVAL; // the old leader died long ago: every check is overdue
    const dues = names.map((n) =>
      sourceCheckDueAt(backup(n, { sourceCheckedAt: iso(T0) }), { intervalMs: INTERVAL, leaderSince }),
    );
    for (const due of dues) {
      assert.ok(due! >= leaderSince, 'never in the past');
      assert.ok(due! < leaderSince + INTERVAL * SOURCE_CHECK_JITTER);
    }
    const atStart = dues.filter((d) => d! < leaderSince + 60_000).length;
    assert.ok(atStart <= names.length / 20, `${atStart} of ${names.length} in the first minute`);
  });
});

describe('createSourceCheckBudget', () => {
  it('at most qps HEADs per second per registry; other registries are not held up', () => {
    let t = 0;
    const budget = createSourceCheckBudget(1, () => t);
    const waits = ['a', 'b', 'c', 'd'].map((n) => budget.take('docker.io', n));
    assert.deepEqual(waits, [0, 1000, 2000, 3000], 'each waits its own turn, in order');
    assert.equal(budget.take('ghcr.io', 'e'), 0, 'a budget per registry');
    assert.equal(budget.waiting, 3);
    // A woken check whose turn came goes ahead without a second token.
    t = 1000;
    assert.equal(budget.take('docker.io', 'b'), 0);
    t = 1500;
    assert.equal(budget.take('docker.io', 'c'), 500, 'too early: the time left of its turn');
    t = 10_000;
    assert.equal(budget.take('docker.io', 'c'), 0);
    assert.equal(budget.take('docker.io', 'd'), 0);
    assert.equal(budget.waiting, 0, 'reservations are dropped when used');
  });

  it('a fractional qps spaces HEADs further apart', () => {
    const budget = createSourceCheckBudget(0.5, () => 0);
    assert.deepEqual(
      ['a', 'b', 'c'].map((n) => budget.take('r', n)),
      [0, 2000, 4000],
    );
  });

  it('over a long run no second holds more than qps HEADs', () => {
    let t = 0;
    const budget = createSourceCheckBudget(2, () => t);
    const sent: number[] = [];
    const pending = new Map(names.slice(0, 50).map((n) => [n, 0]));
    for (let step = 0; step < 100_000 && pending.size > 0; step++) {
      for (const [n, at] of pending) {
        if (at > t) continue;
        const wait = budget.take('docker.io', n);
        if (wait === 0) {
          sent.push(t);
          pending.delete(n);
        } else pending.set(n, t + wait);
      }
      t += 50;
    }
    assert.equal(sent.length, 50);
    for (const at of sent) assert.ok(sent.filter((s) => s >= at && s < at + 1000).length <= 2);
  });

  it('a second login within a check takes a token of the same budget', () => {
    const budget = createSourceCheckBudget(1, () => 0);
    assert.equal(budget.take('docker.io', 'a'), 0);
    assert.equal(budget.reserve('docker.io'), 1000, "the refused login's retry waits its turn");
    assert.equal(budget.take('docker.io', 'b'), 2000, 'and the next check after it');
  });

  it('a 429 pauses its registry for Retry-After, and only that one', () => {
    let t = 0;
    const budget = createSourceCheckBudget(1, () => t);
    budget.take('docker.io', 'a');
    budget.pause('docker.io', 30_000);
    t = 5_000;
    assert.equal(budget.take('docker.io', 'b'), 25_000);
    assert.equal(budget.take('ghcr.io', 'c'), 0);
    t = 30_000;
    assert.equal(budget.take('docker.io', 'b'), 0);
  });
});
