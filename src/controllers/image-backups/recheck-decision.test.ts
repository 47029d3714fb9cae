// The recheck decision as a table: backup present/damaged × source same/moved/gone/unreachable ×
// keep/follow (issue 15). The invariants: an intact backup is Ready whatever the source does; a
// damaged one is copied again only from the same digest; --on-source-change never changes a recheck.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recheckAction, type BackupState, type OnSourceChange } from './recheck-decision.ts';
import type { SourceProbe } from './source-probe.ts';

const HELD = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const MISSING = `backup.example/lifeboat/app@${HELD}`;

const SOURCES: Record<string, SourceProbe> = {
  same: { kind: 'found', digest: HELD },
  moved: { kind: 'found', digest: OTHER },
  gone: { kind: 'gone', reason: 'NotFound', message: 'src.example/app:1 is not found' },
  unauthorized: { kind: 'gone', reason: 'Unauthorized', message: '401 from src.example' },
  unreachable: { kind: 'unreachable', message: 'connect ECONNREFUSED src.example' },
  throttled: { kind: 'throttled', retryAfterMs: 1000, message: '429 from src.example' },
};

const BACKUPS: Record<string, BackupState> = {
  present: { kind: 'present' },
  damaged: { kind: 'damaged', missing: [MISSING] },
};

/** Expected action kind per backup state and source state, for both policies alike. */
const WANT: Record<string, Record<string, 'ready' | 'recopy' | 'degraded'>> = {
  present: {
    same: 'ready',
    moved: 'ready',
    gone: 'ready',
    unauthorized: 'ready',
    unreachable: 'ready',
    throttled: 'ready',
  },
  damaged: {
    same: 'recopy',
    moved: 'degraded',
    gone: 'degraded',
    unauthorized: 'degraded',
    unreachable: 'degraded',
    throttled: 'degraded',
  },
};

describe('recheckAction', () => {
  for (const [backupName, backup] of Object.entries(BACKUPS)) {
    for (const [sourceName, source] of Object.entries(SOURCES)) {
      for (const policy of ['keep', 'follow'] as OnSourceChange[]) {
        const want = WANT[backupName]![sourceName]!;
        it(`backup ${backupName} × source ${sourceName} × ${policy}: ${want}`, () => {
          const action = recheckAction({
            backup,
            source,
            sourceDigest: HELD,
            reference: 'src.example/app:1',
            onSourceChange: policy,
          });
          assert.equal(action.kind, want);
          if (action.kind === 'recopy') assert.equal(action.digest, HELD, 'only the digest the backup holds');
          if (action.kind === 'degraded') {
            assert.ok(action.message.includes(MISSING), 'names what is missing');
            if (sourceName === 'moved')
              assert.ok(action.message.includes(OTHER), 'names what the source serves');
          }
        });
      }
    }
  }

  it('a damaged backup whose source was not asked is Degraded, not copied', () => {
    const action = recheckAction({
      backup: BACKUPS['damaged']!,
      source: undefined,
      sourceDigest: HELD,
      reference: 'src.example/app:1',
      onSourceChange: 'follow',
    });
    assert.equal(action.kind, 'degraded');
  });
});
