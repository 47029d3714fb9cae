import assert from 'node:assert/strict';
import { it } from 'node:test';
import { latestWorkloadEvents, type EventLike } from './latest-events.ts';

const LIFEBOAT = 'lifeboat.dev/lifeboat';
const about = (kind: string, name = 'web') => ({ kind, namespace: 'apps', name, uid: 'u1' });

it("keeps lifeboat's newest workload Event per workload", () => {
  const events: EventLike[] = [
    {
      reportingController: LIFEBOAT,
      reason: 'RewriteConflict',
      note: 'old',
      eventTime: '2026-01-01T00:00:01.000000Z',
      regarding: about('Deployment'),
    },
    // A series' last observation makes an older Event the newest.
    {
      reportingController: LIFEBOAT,
      reason: 'BackupAccessDenied',
      note: 'denied',
      eventTime: '2026-01-01T00:00:00.000000Z',
      series: { lastObservedTime: '2026-01-01T00:00:05.000000Z' },
      regarding: about('Deployment'),
    },
    {
      reportingController: LIFEBOAT,
      reason: 'ImagesMovedToBackup',
      note: 'cron',
      eventTime: '2026-01-01T00:00:02.000000Z',
      regarding: about('CronJob'),
    },
    // Not lifeboat's, not a workload reason, not a workload kind, no name: all left out.
    {
      reportingController: 'someone-else',
      reason: 'RewriteConflict',
      eventTime: '2026-01-02T00:00:00Z',
      regarding: about('Deployment'),
    },
    {
      reportingController: LIFEBOAT,
      reason: 'BackupFailed',
      eventTime: '2026-01-02T00:00:00Z',
      regarding: about('Deployment'),
    },
    {
      reportingController: LIFEBOAT,
      reason: 'RewriteConflict',
      eventTime: '2026-01-02T00:00:00Z',
      regarding: about('Pod'),
    },
    {
      reportingController: LIFEBOAT,
      reason: 'RewriteConflict',
      eventTime: '2026-01-02T00:00:00Z',
      regarding: { kind: 'Deployment' },
    },
    // No eventTime: when it was stored.
    {
      reportingController: LIFEBOAT,
      reason: 'RewriteReverted',
      metadata: { creationTimestamp: '2026-01-01T00:00:03Z' },
      regarding: about('StatefulSet', 'db'),
    },
  ];
  const latest = latestWorkloadEvents(events, LIFEBOAT);
  assert.deepEqual([...latest.keys()].sort(), [
    'CronJob/apps/web',
    'Deployment/apps/web',
    'StatefulSet/apps/db',
  ]);
  assert.deepEqual(latest.get('Deployment/apps/web'), {
    reason: 'BackupAccessDenied',
    note: 'denied',
    uid: 'u1',
    at: Date.parse('2026-01-01T00:00:05Z'),
  });
  assert.equal(latest.get('StatefulSet/apps/db')?.reason, 'RewriteReverted');
});
