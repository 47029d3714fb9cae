/**
 * What one source check of a Ready backup writes and records (issue 15 items 3 and 4), as a pure
 * function of the status before, the source's answer and `--on-source-change`:
 * - status: condition `SourceAvailable` (True, reason Available; False with reason NotFound,
 *   Unauthorized or Unreachable), `sourceCheckedAt`, and `sourceLatestDigest` (the digest the
 *   source served at the last check that found it). One write per check: the write budget of a
 *   backup is one status write per check interval.
 * - Events: SourceGone (Warning) when the condition turns False or changes its reason, SourceBack
 *   when it turns True again, SourceChanged when the source serves a digest it did not serve at the
 *   last check (from which to which), so each is recorded once per change, not once per check.
 * - `follow`: the digest to copy when `--on-source-change=follow` and the source serves another
 *   digest than the backup holds. With `keep`, drift is only reported.
 * A gone or unreachable source changes nothing else: phase, digests and every pin stay.
 */
import type { Condition, ImageBackupStatus } from '../api/image-backup-schema.ts';
import { EventReasons, type EventReason } from '../api/event-reasons.ts';
import type { StatusPatch } from './copy-status.ts';
import type { OnSourceChange } from './recheck-decision.ts';
import type { SourceProbe } from './source-probe.ts';

export const SOURCE_AVAILABLE_CONDITION = 'SourceAvailable';

export type SourceState = 'available' | 'gone' | 'changed' | 'unreachable';
export const SOURCE_STATES: readonly SourceState[] = ['available', 'gone', 'changed', 'unreachable'];

export interface SourceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: EventReason;
  readonly action: 'Check' | 'Copy';
  readonly note: string;
}

export interface SourceCheckOutcome {
  readonly status: StatusPatch;
  readonly events: readonly SourceEvent[];
  /** `follow`: copy this digest and move the backup's tag to it. */
  readonly follow?: string;
}

export function sourceCheckOutcome(
  current: ImageBackupStatus | undefined,
  probe: Exclude<SourceProbe, { kind: 'throttled' }>,
  source: string,
  onSourceChange: OnSourceChange,
  generation: number,
  now: Date,
): SourceCheckOutcome {
  const previous = current?.conditions?.find((c) => c.type === SOURCE_AVAILABLE_CONDITION);
  const events: SourceEvent[] = [];
  const checkedAt = now.toISOString();
  if (probe.kind !== 'found') {
    const reason = probe.kind === 'gone' ? probe.reason : 'Unreachable';
    const message = probe.message;
    if (previous?.status !== 'False' || previous.reason !== reason) {
      events.push({
        type: 'Warning',
        reason: EventReasons.SourceGone,
        action: 'Check',
        note: `${source}: ${reason}: ${message}; the backup stays as it is`,
      });
    }
    return {
      status: {
        sourceCheckedAt: checkedAt,
        conditions: withCondition(current, 'False', reason, message, generation, now),
      },
      events,
    };
  }
  const digest = probe.digest;
  if (previous?.status === 'False') {
    events.push({
      type: 'Normal',
      reason: EventReasons.SourceBack,
      action: 'Check',
      note: `${source} serves ${digest} again`,
    });
  }
  const lastSeen = current?.sourceLatestDigest ?? current?.sourceDigest;
  if (lastSeen !== undefined && lastSeen !== digest) {
    events.push({
      type: 'Normal',
      reason: EventReasons.SourceChanged,
      action: 'Check',
      note: `${source} moved from ${lastSeen} to ${digest}; ${
        onSourceChange === 'follow' && digest !== current?.sourceDigest
          ? 'following it (--on-source-change=follow)'
          : `the backup keeps ${current?.sourceDigest ?? 'its digest'}`
      }`,
    });
  }
  const drift = current?.sourceDigest !== undefined && digest !== current.sourceDigest;
  return {
    status: {
      sourceCheckedAt: checkedAt,
      sourceLatestDigest: digest,
      conditions: withCondition(
        current,
        'True',
        'Available',
        drift ? `serves ${digest}; the backup holds ${current.sourceDigest}` : `serves ${digest}`,
        generation,
        now,
      ),
    },
    events,
    ...(drift && onSourceChange === 'follow' ? { follow: digest } : {}),
  };
}

/** What `lifeboat_image_backups_source` counts a backup as; undefined when never checked. */
export function sourceStateOf(status: ImageBackupStatus | undefined): SourceState | undefined {
  const condition = status?.conditions?.find((c) => c.type === SOURCE_AVAILABLE_CONDITION);
  if (condition === undefined) return undefined;
  if (condition.status !== 'True') return condition.reason === 'Unreachable' ? 'unreachable' : 'gone';
  const latest = status?.sourceLatestDigest;
  return latest !== undefined && latest !== status?.sourceDigest ? 'changed' : 'available';
}

/** The conditions with SourceAvailable set, the others as they were (metav1.Condition's rule). */
function withCondition(
  current: ImageBackupStatus | undefined,
  status: Condition['status'],
  reason: string,
  message: string,
  generation: number,
  now: Date,
): Condition[] {
  const others = (current?.conditions ?? []).filter((c) => c.type !== SOURCE_AVAILABLE_CONDITION);
  const previous = current?.conditions?.find((c) => c.type === SOURCE_AVAILABLE_CONDITION);
  const lastTransitionTime =
    previous !== undefined && previous.status === status ? previous.lastTransitionTime : now.toISOString();
  return [
    ...others,
    {
      type: SOURCE_AVAILABLE_CONDITION,
      status,
      observedGeneration: generation,
      lastTransitionTime,
      reason,
      message,
    },
  ];
}
