// What the ImageBackup controller last learned about a backup's source (issue 15 items 3 and 6), as
// the SOURCE-STATE column of `lifeboat status` shows it. Read from the object generically, not
// through the ImageBackup schema's types: the source check writes condition `SourceAvailable` and
// `status.sourceLatestDigest`, and status must read them from any version of the object (an
// older controller's writes none of them: `unchecked`).
//
//   gone / unauthorized / unreachable — `SourceAvailable=False` with reason NotFound / Unauthorized /
//                  Unreachable (`unavailable` for a reason this version does not know);
//   changed      — the source answers with another digest than the one copied
//                  (`status.sourceLatestDigest` ≠ `status.sourceDigest`): the tag moved;
//   available    — `SourceAvailable=True`, same digest;
//   unchecked    — no check recorded yet (or `SourceAvailable=Unknown`).
// A gone or changed source changes nothing else: the backup stays Ready and every pin stays.
import type { ImageBackup } from '../api/image-backup-schema.ts';

export const SOURCE_STATES = [
  'available',
  'changed',
  'gone',
  'unauthorized',
  'unreachable',
  'unavailable',
  'unchecked',
] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

/** The condition type the ImageBackup controller's source check writes. */
export const SOURCE_AVAILABLE = 'SourceAvailable';

const FALSE_REASONS: Readonly<Record<string, SourceState>> = {
  NotFound: 'gone',
  Unauthorized: 'unauthorized',
  Unreachable: 'unreachable',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `status.<field>` as a string, whatever the object's schema version. */
export function statusText(backup: ImageBackup, field: string): string | undefined {
  const status: unknown = backup.status;
  return typeof status === 'object' && status !== null
    ? text((status as Record<string, unknown>)[field])
    : undefined;
}

function condition(backup: ImageBackup, type: string): { status?: string; reason?: string } | undefined {
  const status: unknown = backup.status;
  if (typeof status !== 'object' || status === null) return undefined;
  const conditions = (status as Record<string, unknown>).conditions;
  if (!Array.isArray(conditions)) return undefined;
  for (const c of conditions as unknown[]) {
    if (typeof c !== 'object' || c === null) continue;
    const fields = c as Record<string, unknown>;
    if (fields.type !== type) continue;
    const status = text(fields.status);
    const reason = text(fields.reason);
    return { ...(status !== undefined && { status }), ...(reason !== undefined && { reason }) };
  }
  return undefined;
}

export function sourceState(backup: ImageBackup): SourceState {
  const available = condition(backup, SOURCE_AVAILABLE);
  if (available?.status === 'False') return FALSE_REASONS[available.reason ?? ''] ?? 'unavailable';
  const latest = statusText(backup, 'sourceLatestDigest');
  const copied = statusText(backup, 'sourceDigest');
  if (latest !== undefined && copied !== undefined && latest !== copied) return 'changed';
  return available?.status === 'True' ? 'available' : 'unchecked';
}
