import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { backupStatus } from './backup-status.ts';
import { sourceState, type SourceState } from './source-state.ts';

const COPIED = `sha256:${'a'.repeat(64)}`;
const MOVED = `sha256:${'b'.repeat(64)}`;
const AT = '2026-01-01T00:00:00Z';

/** A Ready backup whose status carries `extra`, as a newer controller may write it (not typed here). */
function backup(extra: Record<string, unknown> = {}): ImageBackup {
  return {
    metadata: { name: 'b' },
    spec: { source: 'example.com/app:1', target: 'backup.example.com/lifeboat/example.com/app:1' },
    status: { phase: 'Ready', sourceDigest: COPIED, targetDigest: COPIED, ...extra },
  };
}
const available = (status: string, reason: string, message = '') => ({
  conditions: [
    { type: 'Ready', status: 'True', reason: 'Copied', message: '', lastTransitionTime: AT },
    { type: 'SourceAvailable', status, reason, message, lastTransitionTime: AT },
  ],
});

const ROWS: [why: string, backup: ImageBackup, want: SourceState][] = [
  ['no source check recorded', backup(), 'unchecked'],
  ['no status at all', { ...backup(), status: undefined }, 'unchecked'],
  ['the source answers with the digest copied', backup(available('True', 'Found')), 'available'],
  [
    'True and the same latest digest',
    backup({ ...available('True', 'Found'), sourceLatestDigest: COPIED }),
    'available',
  ],
  ['the tag moved', backup({ ...available('True', 'Found'), sourceLatestDigest: MOVED }), 'changed'],
  ['the tag moved, no condition written', backup({ sourceLatestDigest: MOVED }), 'changed'],
  ['NotFound', backup(available('False', 'NotFound')), 'gone'],
  [
    'NotFound wins over an older latest digest',
    backup({ ...available('False', 'NotFound'), sourceLatestDigest: MOVED }),
    'gone',
  ],
  ['Unauthorized', backup(available('False', 'Unauthorized')), 'unauthorized'],
  ['Unreachable', backup(available('False', 'Unreachable')), 'unreachable'],
  ['a reason this version does not know', backup(available('False', 'Throttled')), 'unavailable'],
  ['status Unknown', backup(available('Unknown', 'Checking')), 'unchecked'],
  ['conditions that are not a list are ignored', backup({ conditions: 'SourceAvailable' }), 'unchecked'],
  [
    'malformed entries are skipped',
    backup({ conditions: [null, 7, { type: 'SourceAvailable', status: 'False', reason: 'NotFound' }] }),
    'gone',
  ],
];

describe('sourceState', () => {
  for (const [why, b, want] of ROWS) it(why, () => assert.equal(sourceState(b), want));

  it('status shows the state, when the source was checked and what it serves', () => {
    const got = backupStatus(
      backup({ ...available('True', 'Found'), sourceLatestDigest: MOVED, sourceCheckedAt: AT }),
      [],
    );
    assert.equal(got.sourceState, 'changed');
    assert.equal(got.sourceCheckedAt, AT);
    assert.equal(got.sourceLatestDigest, MOVED);
    const unchecked = backupStatus(backup(), []);
    assert.equal(unchecked.sourceState, 'unchecked');
    assert.ok(
      !('sourceCheckedAt' in unchecked) && !('sourceLatestDigest' in unchecked),
      'absent, not undefined',
    );
  });
});
