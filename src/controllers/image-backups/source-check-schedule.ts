/**
 * When a Ready backup's source is checked next (issue 15 item 3), as a pure function of the object
 * and the time this process became leader, so every reconcile of the same object computes the same
 * time and a table test pins the rules down:
 * - Checked before: `sourceCheckedAt + interval`, jittered by ±10 % (`SOURCE_CHECK_JITTER`), the
 *   jitter drawn from a hash of the name and that time: stable across reconciles, different per
 *   backup and per check, so checks made together drift apart.
 * - Never checked: a backup just copied needs no check: `max(leader start, completedAt)` plus an
 *   offset in [0, interval) from a hash of the name, so the backups a new leader finds spread over
 *   one interval.
 * - No burst after a leader change: a check that fell due while no leader ran is spread over the
 *   jitter window after the leader started (a hash of the name again), not done all at once. The
 *   per-registry QPS budget (source-check-budget.ts) caps whatever burst is left.
 * Invariant: the result is never before the leader started (nothing is due in the past twice).
 */
import { createHash } from 'node:crypto';
import type { ImageBackup } from '../api/image-backup-schema.ts';

/** ±10 % of the interval. */
export const SOURCE_CHECK_JITTER = 0.1;

export interface SourceCheckTiming {
  /** `--source-check-interval` in ms; 0 disables checks. */
  readonly intervalMs: number;
  /** When this process became leader (ms since the epoch). */
  readonly leaderSince: number;
}

/** When `backup`'s source is checked next (ms since the epoch); undefined when checks are off. */
export function sourceCheckDueAt(backup: ImageBackup, t: SourceCheckTiming): number | undefined {
  if (!(t.intervalMs > 0)) return undefined;
  const name = backup.metadata.name;
  const checkedAt = parseTime(backup.status?.sourceCheckedAt);
  if (checkedAt === undefined) {
    const completedAt = parseTime(backup.status?.completedAt) ?? t.leaderSince;
    return Math.max(t.leaderSince, completedAt) + Math.floor(unitHash(name) * t.intervalMs);
  }
  const jitter = (2 * unitHash(`${name}@${checkedAt}`) - 1) * SOURCE_CHECK_JITTER;
  const due = checkedAt + Math.round(t.intervalMs * (1 + jitter));
  if (due >= t.leaderSince) return due;
  // Fell due while no leader ran: spread over the jitter window after the start.
  return t.leaderSince + Math.floor(unitHash(name) * t.intervalMs * SOURCE_CHECK_JITTER);
}

/** A number in [0, 1) from `text`: the first 48 bits of its sha256. */
export function unitHash(text: string): number {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return Number.parseInt(hex, 16) / 2 ** 48;
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
