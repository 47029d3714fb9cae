import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageBackup, ImageBackupPhase } from '../api/image-backup-schema.ts';
import { decide } from './decide.ts';
import { createOwnWrites, newer } from './own-writes.ts';

const backup = (rv: string, phase: ImageBackupPhase, uid = 'u1', name = 'b'): ImageBackup => ({
  metadata: { name, uid, resourceVersion: rv },
  spec: { source: 'docker.io/library/nginx:1', target: 'backup.example/nginx:1' },
  status: { phase },
});

function fixture() {
  const cache = new Map<string, ImageBackup>();
  const own = createOwnWrites({ get: (name) => cache.get(name) });
  const deliver = (obj: ImageBackup): void => {
    cache.set(obj.metadata.name, obj);
    own.observed(obj);
  };
  return { cache, own, deliver };
}

describe('createOwnWrites', () => {
  it('serves our write while the cache is behind it, and the cache once it caught up', () => {
    const { own, deliver } = fixture();
    deliver(backup('10', 'Pending'));
    own.wrote(backup('11', 'Copying'));
    own.wrote(backup('13', 'Ready'));
    assert.equal(own.get('b')?.status?.phase, 'Ready', 'the stale cache says Pending');
    deliver(backup('11', 'Copying'));
    assert.equal(own.get('b')?.status?.phase, 'Ready', 'the cache says Copying, one write behind');
    assert.equal(own.size, 1);
    deliver(backup('13', 'Ready'));
    assert.equal(own.size, 0, 'dropped once the informer delivered it');
    assert.equal(own.get('b')?.metadata.resourceVersion, '13');
  });

  it('lets a newer write by someone else win over ours', () => {
    const { own, deliver } = fixture();
    deliver(backup('10', 'Copying'));
    own.wrote(backup('12', 'Ready'));
    deliver(backup('15', 'Pending'));
    assert.equal(own.get('b')?.status?.phase, 'Pending');
    assert.equal(own.size, 0);
  });

  it('keeps the newest of two writes that answer out of order', () => {
    const { own, deliver } = fixture();
    deliver(backup('10', 'Copying'));
    own.wrote(backup('14', 'Ready'));
    own.wrote(backup('12', 'Copying'));
    assert.equal(own.get('b')?.status?.phase, 'Ready');
  });

  it('forgets a write when the object is deleted or was created again', () => {
    const { cache, own, deliver } = fixture();
    deliver(backup('10', 'Copying'));
    own.wrote(backup('12', 'Ready'));
    cache.delete('b');
    own.deleted('b');
    assert.equal(own.get('b'), undefined);
    assert.equal(own.size, 0);
    deliver(backup('20', 'Pending', 'u2'));
    own.wrote(backup('22', 'Copying', 'u1'));
    assert.equal(own.get('b')?.metadata.uid, 'u2', 'a write of the old object never shadows the new one');
    assert.equal(own.size, 0);
  });

  it('never serves a write of an object the cache no longer holds', () => {
    const { cache, own, deliver } = fixture();
    deliver(backup('10', 'Copying'));
    own.wrote(backup('12', 'Ready'));
    cache.delete('b');
    assert.equal(own.get('b'), undefined);
    assert.equal(own.size, 0);
  });
});

describe('a stale cache after our own writes', () => {
  const at = (rv: string, phase: ImageBackupPhase): ImageBackup => ({
    ...backup(rv, phase),
    metadata: { name: 'b', uid: 'u1', resourceVersion: rv, generation: 1 },
    status: { phase, observedGeneration: 1 },
  });

  it('never starts a copy again: the events of Copying and of a progress write arrive after Ready was written', () => {
    const { own, deliver } = fixture();
    deliver({ ...at('10', 'Pending'), status: {} });
    assert.equal(decide({ backup: own.get('b'), retryDue: true }).kind, 'copy');
    own.wrote(at('11', 'Copying'));
    own.wrote(at('12', 'Copying'));
    own.wrote(at('13', 'Ready'));
    for (const event of [at('11', 'Copying'), at('12', 'Copying')]) {
      deliver(event);
      assert.deepEqual(decide({ backup: own.get('b'), retryDue: true }), { kind: 'none', reason: 'ready' });
    }
  });

  it('a Failed write seen before the cache has it waits for the backoff', () => {
    const { own, deliver } = fixture();
    deliver(at('11', 'Copying'));
    own.wrote(at('12', 'Failed'));
    assert.deepEqual(decide({ backup: own.get('b'), retryDue: false }), { kind: 'wait', reason: 'backoff' });
  });
});

describe('newer', () => {
  const cases: [string, string, boolean][] = [
    ['11', '10', true],
    ['10', '11', false],
    ['10', '10', false],
    ['100', '99', true],
    ['18446744073709551616', '18446744073709551615', true],
    ['abc', '10', false],
    ['10', '', false],
  ];
  for (const [a, b, want] of cases) {
    it(`${a} newer than ${JSON.stringify(b)}: ${want}`, () =>
      assert.equal(newer(backup(a, 'Ready'), backup(b, 'Ready')), want));
  }
});
