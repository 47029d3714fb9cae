import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeEventRecorder } from './event-recorder-fake.ts';

describe('fake event recorder', () => {
  it('keeps every record in order, with the regarding object as a reference', async () => {
    const r = createFakeEventRecorder();
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' } };
    r.record(pod, { type: 'Warning', reason: 'InvalidImageReference', action: 'Backup', note: 'bad' });
    r.record(pod, { type: 'Warning', reason: 'InvalidImageReference', action: 'Backup', note: 'bad' });
    await r.close();
    assert.deepEqual(r.events, [
      {
        type: 'Warning',
        reason: 'InvalidImageReference',
        action: 'Backup',
        note: 'bad',
        regarding: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns' },
      },
      {
        type: 'Warning',
        reason: 'InvalidImageReference',
        action: 'Backup',
        note: 'bad',
        regarding: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns' },
      },
    ]);
  });
});
