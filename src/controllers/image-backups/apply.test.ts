// The writes and Events of each step, against a fake status client and a fake copy: what the API
// would receive, in order (as sample-controller's tests compare recorded actions).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { KubeApiError } from '../../kube/index.ts';
import { createFakeEventRecorder } from '../../kube/event-recorder-fake.ts';
import type { CopyProgress } from '../../registry/index.ts';
import { imageBackupStatusSchema, type ImageBackup } from '../api/image-backup-schema.ts';
import { backupEffects, type CopyFn } from './apply.ts';
import type { BackupCopy } from './copy-backup.ts';
import { SourceAccessError } from './copy-failure.ts';
import type { StatusPatch } from './copy-status.ts';
import type { OnSourceChange } from './recheck-decision.ts';
import { createSourceCheckBudget, type SourceCheckBudget } from './source-check-budget.ts';
import type { SourceProbe } from './source-probe.ts';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const NEVER = 3_600_000;

/** What apply.ts reads of a copy's result; the copy engine's other counters do not matter here. */
const READ = {
  sourceDigest: D1,
  targetDigest: D1,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platforms: [],
  bytesTotal: 3000,
  bytesCopied: 3000,
  blobsTotal: 3,
  blobsCopied: 3,
  blobsSkipped: 0,
  blobsMounted: 0,
  skipped: false,
  private: false,
};
const result = (o: Partial<BackupCopy> = {}): BackupCopy => Object.assign({} as BackupCopy, READ, o);

const stored = (): ImageBackup => ({
  apiVersion: 'lifeboat.dev/v1alpha1',
  kind: 'ImageBackup',
  metadata: { name: 'b', uid: 'u', resourceVersion: '10', generation: 1 },
  spec: { source: 'src.example/app:1', target: 'backup.example/lifeboat/app:1' },
});

interface World {
  /** What the backup registry misses (findMissing's answer). */
  missing?: string[];
  /** What the source answers a HEAD. */
  source?: SourceProbe;
  onSourceChange?: OnSourceChange;
  budget?: SourceCheckBudget;
}

/** A status subresource: merge patches onto one object, 409 on a stale resourceVersion guard. */
function fixture(copy: CopyFn, progressIntervalMs = NEVER, world: World = {}) {
  const calls: string[] = [];
  let current = stored();
  const patches: { guarded: boolean; status: StatusPatch }[] = [];
  const own: ImageBackup[] = [];
  const events = createFakeEventRecorder();
  const client = {
    patchStatus(_name: string, body: object): Promise<ImageBackup> {
      const { metadata, status } = body as { metadata?: { resourceVersion: string }; status: StatusPatch };
      if (metadata !== undefined && metadata.resourceVersion !== current.metadata.resourceVersion)
        return Promise.reject(new KubeApiError({ method: 'PATCH', path: '/b/status', status: 409 }));
      const merged = Object.fromEntries(
        Object.entries({ ...current.status, ...status }).filter(([, v]) => v !== null),
      );
      // As the API server, which checks the result against the CRD's schema: 422 when it breaks it.
      if (!imageBackupStatusSchema.safeParse(merged).success)
        return Promise.reject(new KubeApiError({ method: 'PATCH', path: '/b/status', status: 422 }));
      patches.push({ guarded: metadata !== undefined, status });
      const rv = String(Number(current.metadata.resourceVersion) + 1);
      current = { ...current, metadata: { ...current.metadata, resourceVersion: rv }, status: merged };
      return Promise.resolve(current);
    },
  };
  const effects = backupEffects({
    client,
    own: { wrote: (b) => void own.push(b) },
    copy: (b, sig, onProgress, pin) => {
      calls.push(pin === undefined ? 'copy' : `copy@${pin}`);
      return copy(b, sig, onProgress, pin);
    },
    backupRegistry: {
      findMissing: () => {
        calls.push('findMissing');
        return Promise.resolve(world.missing ?? []);
      },
      repair: () => {
        calls.push('repair');
        return Promise.resolve({ anchorsWritten: 1 });
      },
    },
    probeSource: () => {
      calls.push('probeSource');
      return Promise.resolve(world.source ?? { kind: 'found', digest: D1 });
    },
    sourceHost: () => 'src.example',
    budget: world.budget ?? createSourceCheckBudget(0),
    onSourceChange: world.onSourceChange ?? 'keep',
    events,
    metrics: { copied: () => undefined, failed: () => undefined },
    logger: pino({ level: 'silent' }),
    progressIntervalMs,
  });
  return {
    effects,
    calls,
    patches,
    own,
    reasons: () => events.events.map((e) => e.reason),
    current: () => current,
    set: (b: ImageBackup) => void (current = b),
  };
}

const signal = new AbortController().signal;
const progress = (blobsDone: number): CopyProgress => ({
  bytesDone: blobsDone * 1000,
  bytesTotal: 3000,
  blobsDone,
  blobsTotal: 3,
});

describe('backupEffects', () => {
  it('a copy within the progress interval writes Copying (guarded) and Ready: no progress write', async () => {
    const f = fixture((_b, _s, onProgress) => {
      for (let i = 1; i <= 3; i++) onProgress(progress(i));
      return Promise.resolve(result());
    });
    assert.equal(await f.effects.copy(stored(), 1, signal), undefined);
    assert.deepEqual(
      f.patches.map((p) => [p.status.phase, p.guarded]),
      [
        ['Copying', true],
        ['Ready', false],
      ],
    );
    assert.deepEqual(f.reasons(), ['BackupReady'], 'a quick copy: its BackupReady says all of it');
    assert.equal(f.current().status?.observedGeneration, 1);
    assert.deepEqual(
      f.own.map((b) => b.status?.phase),
      ['Copying', 'Ready'],
      'every answer is handed to own-writes',
    );
  });

  it('a copy that lasts longer than the interval writes its progress too', async () => {
    const f = fixture(async (_b, _s, onProgress) => {
      for (let i = 1; i <= 3; i++) {
        onProgress(progress(i));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return result();
    }, 0);
    await f.effects.copy(stored(), 1, signal);
    const progressWrites = f.patches.filter((p) => p.status.phase === undefined);
    assert.ok(progressWrites.length >= 1, JSON.stringify(f.patches));
    assert.match(String(progressWrites[0]!.status.progress), /^\d\/3 blobs, \d+%$/);
    assert.deepEqual(
      [f.patches[0]!.status.phase, f.patches.at(-1)!.status.phase],
      ['Copying', 'Ready'],
      'the end is written last',
    );
  });

  it('a copy that outlasts the progress interval records BackupStarted while it runs, then BackupReady', async () => {
    const f = fixture(async () => {
      await sleep(50);
      return result();
    }, 1);
    await f.effects.copy(stored(), 1, signal);
    assert.deepEqual(f.reasons(), ['BackupStarted', 'BackupReady']);
  });

  it('a failed copy writes Failed, records BackupFailed and asks for a rate-limited retry', async () => {
    const f = fixture(() =>
      Promise.reject(new SourceAccessError('src.example/app:1', ['anonymous'], new Error('401'))),
    );
    assert.deepEqual(await f.effects.copy(stored(), 1, signal), { requeue: 'rateLimited' });
    assert.deepEqual(
      f.patches.map((p) => p.status.phase),
      ['Copying', 'Failed'],
    );
    assert.deepEqual(f.reasons(), ['BackupStarted', 'BackupFailed']);
    assert.equal(f.current().status?.attempts, 1);
  });

  it('a failure of any length is written within the CRD limits: Failed, its message cut', async () => {
    const huge = new Error(`registry src.example: GET answered 400 (UNKNOWN: ${'x'.repeat(65_536)})`);
    const f = fixture(() => Promise.reject(huge));
    assert.deepEqual(await f.effects.copy(stored(), 1, signal), { requeue: 'rateLimited' });
    assert.deepEqual(
      f.patches.map((p) => p.status.phase),
      ['Copying', 'Failed'],
    );
    assert.match(
      f.current().status?.lastError ?? '',
      /^registry src\.example: GET answered 400 \(UNKNOWN: x+ … \(/,
    );
  });

  it('an end the API server refuses (422) is recorded as a failure: never left Copying', async () => {
    // Two platforms alike: the CRD's list-type set refuses the Ready status.
    const f = fixture(() => Promise.resolve(result({ platforms: ['linux/amd64', 'linux/amd64'] })));
    assert.deepEqual(await f.effects.copy(stored(), 1, signal), { requeue: 'rateLimited' });
    assert.deepEqual(
      f.patches.map((p) => p.status.phase),
      ['Copying', 'Failed'],
    );
    assert.match(f.current().status?.lastError ?? '', /the API server refused the Ready status/);
    assert.equal(f.current().status?.conditions?.[0]?.reason, 'STATUS_REFUSED');
    assert.deepEqual(f.reasons(), ['BackupStarted', 'BackupFailed']);
  });

  it('a stale resourceVersion starts nothing: no copy, no Event', async () => {
    let copies = 0;
    const f = fixture(() => {
      copies++;
      return Promise.resolve(result());
    });
    f.set({ ...stored(), metadata: { ...stored().metadata, resourceVersion: '12' } });
    const outcome = await f.effects.copy(stored(), 1, signal);
    assert.ok(outcome !== undefined && outcome.requeueAfter !== undefined);
    assert.equal(copies, 0);
    assert.deepEqual(f.patches, []);
    assert.deepEqual(f.reasons(), []);
  });

  it('a copy aborted by shutdown writes nothing more: Copying stays for the next leader', async () => {
    const abort = new AbortController();
    const f = fixture(() => {
      abort.abort();
      return Promise.reject(new Error('aborted'));
    });
    assert.equal(await f.effects.copy(stored(), 1, abort.signal), undefined);
    assert.deepEqual(
      f.patches.map((p) => p.status.phase),
      ['Copying'],
    );
    assert.deepEqual(f.reasons(), ['BackupStarted']);
  });

  it('a recheck that finds the image in place writes once, keeps the progress, records nothing', async () => {
    const f = fixture(() => Promise.resolve(result({ skipped: true, bytesCopied: 0, blobsCopied: 0 })));
    const ready: ImageBackup = {
      ...stored(),
      metadata: { ...stored().metadata, generation: 2 },
      status: {
        phase: 'Ready',
        observedGeneration: 1,
        progress: '3/3 blobs, 100%',
        attempts: 1,
        sourceDigest: D1,
        targetDigest: D1,
      },
    };
    f.set(ready);
    assert.equal(await f.effects.recheck(ready, 2, signal), undefined);
    assert.deepEqual(
      f.patches.map((p) => [p.status.phase, p.guarded]),
      [['Ready', true]],
    );
    assert.equal(f.current().status?.progress, '3/3 blobs, 100%');
    assert.equal(f.current().status?.observedGeneration, 2);
    assert.equal(f.current().status?.attempts, 1, 'no attempt spent');
    assert.deepEqual(f.reasons(), []);
  });

  const wasReady = (phase: 'Ready' | 'Pending' | 'Degraded', generation = 2): ImageBackup => ({
    ...stored(),
    metadata: { ...stored().metadata, generation },
    status: { phase, observedGeneration: 1, attempts: 1, sourceDigest: D1, targetDigest: D1 },
  });

  it('a recheck of an intact backup never asks the source: anchors repaired in place, Ready', async () => {
    const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
      source: { kind: 'gone', reason: 'NotFound', message: 'gone' },
    });
    const b = wasReady('Ready');
    f.set(b);
    assert.equal(await f.effects.recheck(b, 2, signal), undefined);
    assert.deepEqual(f.calls, ['findMissing', 'repair']);
    assert.equal(f.current().status?.phase, 'Ready');
    assert.equal(f.current().status?.targetDigest, D1);
  });

  it("a new leader's recheck of an intact Ready backup repairs anchors and writes nothing", async () => {
    const f = fixture(() => Promise.reject(new Error('no copy expected')));
    const b: ImageBackup = { ...wasReady('Ready', 1) };
    f.set(b);
    assert.equal(await f.effects.recheck(b, 1, signal), undefined);
    assert.deepEqual(f.calls, ['findMissing', 'repair']);
    assert.deepEqual(f.patches, []);
    assert.deepEqual(f.reasons(), []);
  });

  it('a damaged backup whose source serves the same digest is copied again, pinned to it', async () => {
    const f = fixture(() => Promise.resolve(result()), NEVER, {
      missing: [`backup.example/lifeboat/app@${D1}`],
    });
    const b = wasReady('Pending', 1);
    f.set(b);
    assert.equal(await f.effects.recheck(b, 1, signal), undefined);
    assert.deepEqual(f.calls, ['findMissing', 'probeSource', `copy@${D1}`]);
    assert.deepEqual(
      f.patches.map((p) => p.status.phase),
      ['Ready'],
      'no Copying: workloads keep using it while the piece is put back',
    );
    assert.deepEqual(f.reasons(), ['BackupReady']);
  });

  for (const [what, source] of [
    ['gone', { kind: 'gone', reason: 'NotFound', message: 'not found' }],
    ['moved', { kind: 'found', digest: D2 }],
    ['unreachable', { kind: 'unreachable', message: 'ECONNREFUSED' }],
  ] as const) {
    it(`a damaged backup whose source is ${what}: Degraded, BackupDamaged naming what is missing, no copy`, async () => {
      const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
        missing: [`backup.example/lifeboat/app@${D1}`],
        source,
        onSourceChange: 'follow',
      });
      const b = wasReady('Ready');
      f.set(b);
      assert.deepEqual(await f.effects.recheck(b, 2, signal), { requeue: 'rateLimited' });
      assert.deepEqual(f.calls, ['findMissing', 'probeSource']);
      assert.equal(f.current().status?.phase, 'Degraded');
      assert.equal(f.current().status?.targetDigest, D1, 'the digest workloads run stays');
      assert.deepEqual(f.reasons(), ['BackupDamaged']);
      assert.match(f.current().status?.lastError ?? '', new RegExp(`backup.example/lifeboat/app@${D1}`));
    });
  }

  it('the same damage found again records no second BackupDamaged', async () => {
    const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
      missing: [`backup.example/lifeboat/app@${D1}`],
      source: { kind: 'gone', reason: 'NotFound', message: 'not found' },
    });
    f.set(wasReady('Degraded'));
    await f.effects.recheck(f.current(), 2, signal);
    await f.effects.recheck(f.current(), 2, signal);
    assert.deepEqual(f.reasons(), ['BackupDamaged']);
  });

  const checked = (): ImageBackup => ({
    ...stored(),
    status: { phase: 'Ready', observedGeneration: 1, sourceDigest: D1, targetDigest: D1 },
  });

  it('a source check of a gone source: SourceGone once, the backup stays Ready', async () => {
    const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
      source: { kind: 'gone', reason: 'NotFound', message: 'not found' },
    });
    f.set(checked());
    await f.effects.checkSource(f.current(), signal);
    await f.effects.checkSource(f.current(), signal);
    assert.deepEqual(f.reasons(), ['SourceGone']);
    const s = f.current().status!;
    assert.equal(s.phase, 'Ready');
    const c = s.conditions?.find((x) => x.type === 'SourceAvailable');
    assert.deepEqual([c?.status, c?.reason], ['False', 'NotFound']);
    assert.ok(s.sourceCheckedAt);
    assert.equal(f.patches.length, 2, 'one status write per check');
  });

  it('a moved tag with keep: SourceChanged once, nothing copied, the backup keeps its digest', async () => {
    const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
      source: { kind: 'found', digest: D2 },
    });
    f.set(checked());
    await f.effects.checkSource(f.current(), signal);
    await f.effects.checkSource(f.current(), signal);
    assert.deepEqual(f.reasons(), ['SourceChanged']);
    assert.deepEqual(f.calls, ['probeSource', 'probeSource']);
    const s = f.current().status!;
    assert.deepEqual([s.targetDigest, s.sourceDigest, s.sourceLatestDigest], [D1, D1, D2]);
  });

  it('a moved tag with follow: the new digest is copied, pinned, and the backup points at it', async () => {
    const f = fixture(() => Promise.resolve(result({ sourceDigest: D2, targetDigest: D2 })), NEVER, {
      source: { kind: 'found', digest: D2 },
      onSourceChange: 'follow',
    });
    f.set(checked());
    await f.effects.checkSource(f.current(), signal);
    assert.deepEqual(f.calls, ['probeSource', `copy@${D2}`]);
    const s = f.current().status!;
    assert.deepEqual([s.phase, s.targetDigest, s.sourceDigest, s.sourceLatestDigest], ['Ready', D2, D2, D2]);
    assert.deepEqual(f.reasons(), ['SourceChanged', 'BackupReady']);
    assert.equal(
      s.conditions?.find((c) => c.type === 'SourceAvailable')?.message,
      `serves ${D2}`,
      'no drift left to report',
    );
    assert.deepEqual(s.conditions?.map((c) => [c.type, c.status]).sort(), [
      ['Ready', 'True'],
      ['SourceAvailable', 'True'],
    ]);
  });

  it('a 429 writes nothing, pauses the registry for Retry-After and never counts the source gone', async () => {
    let t = 0;
    const budget = createSourceCheckBudget(1, () => t);
    const f = fixture(() => Promise.reject(new Error('no copy expected')), NEVER, {
      source: { kind: 'throttled', retryAfterMs: 30_000, message: '429' },
      budget,
    });
    f.set(checked());
    assert.deepEqual(await f.effects.checkSource(f.current(), signal), { requeueAfter: 30_000 });
    assert.deepEqual(f.patches, []);
    assert.deepEqual(f.reasons(), []);
    t = 10_000;
    assert.equal(budget.take('src.example', 'other'), 20_000, 'every check of that registry waits');
  });
});
