import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failedStatus,
  progressStatus,
  progressText,
  readyStatus,
  startedStatus,
  type CopyOutcome,
  type ProgressCounts,
} from './copy-status.ts';
import { imageBackupStatusSchema, type ImageBackupStatus } from '../api/image-backup-schema.ts';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-01T00:05:00.000Z');
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const outcome = (o: Partial<CopyOutcome> = {}): CopyOutcome => ({
  sourceDigest: D1,
  targetDigest: D1,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  platforms: ['linux/amd64', 'linux/arm64'],
  bytesTotal: 3000,
  blobsTotal: 6,
  blobsSkipped: 1,
  blobsMounted: 2,
  skipped: false,
  private: false,
  ...o,
});

describe('progressText', () => {
  const cases: [string, ProgressCounts, string][] = [
    [
      'the percentage is of bytes',
      { blobsDone: 12, blobsTotal: 30, bytesDone: 400, bytesTotal: 1000 },
      '12/30 blobs, 40%',
    ],
    [
      'rounded down, never 100% before the end',
      { blobsDone: 2, blobsTotal: 3, bytesDone: 999, bytesTotal: 1000 },
      '2/3 blobs, 99%',
    ],
    [
      'of blobs while no size is known',
      { blobsDone: 1, blobsTotal: 4, bytesDone: 0, bytesTotal: 0 },
      '1/4 blobs, 25%',
    ],
    ['nothing planned yet', { blobsDone: 0, blobsTotal: 0, bytesDone: 0, bytesTotal: 0 }, '0/0 blobs, 0%'],
    [
      'never above 100%',
      { blobsDone: 3, blobsTotal: 3, bytesDone: 1200, bytesTotal: 1000 },
      '3/3 blobs, 100%',
    ],
  ];
  for (const [name, counts, want] of cases) {
    it(name, () => assert.equal(progressText(counts), want));
  }

  it('progressStatus carries the counts and the text', () => {
    const counts = { blobsDone: 12, blobsTotal: 30, bytesDone: 400, bytesTotal: 1000 };
    assert.deepEqual(progressStatus(counts), { ...counts, progress: '12/30 blobs, 40%', size: '1000 B' });
    const unknownSize = { blobsDone: 0, blobsTotal: 3, bytesDone: 0, bytesTotal: 0 };
    assert.equal(progressStatus(unknownSize).size, undefined, 'no size before the total is known');
  });
});

describe('status transitions', () => {
  const readyBefore: ImageBackupStatus = {
    phase: 'Ready',
    attempts: 2,
    targetDigest: D1,
    conditions: [
      { type: 'Other', status: 'True', lastTransitionTime: T0.toISOString(), reason: 'X', message: '' },
      { type: 'Ready', status: 'True', lastTransitionTime: T0.toISOString(), reason: 'Copied', message: '' },
    ],
  };

  it('started: Copying, one more attempt, progress reset, Ready=False from now, other conditions kept', () => {
    const patch = startedStatus(readyBefore, 3, T1);
    assert.equal(patch.phase, 'Copying');
    assert.equal(patch.attempts, 3);
    assert.equal(patch.startedAt, T1.toISOString());
    assert.equal(patch.completedAt, null);
    assert.equal(patch.bytesDone, 0);
    assert.equal(patch.blobsDone, 0);
    assert.equal(patch.observedGeneration, 3);
    assert.deepEqual(
      patch.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]),
      [
        ['Other', 'True', 'X', T0.toISOString()],
        ['Ready', 'False', 'Copying', T1.toISOString()],
      ],
    );
  });

  it('started on a fresh object: attempt 1', () => {
    assert.equal(startedStatus(undefined, 1, T0).attempts, 1);
  });

  const table: {
    name: string;
    current: ImageBackupStatus | undefined;
    outcome: CopyOutcome;
    want: Record<string, unknown>;
  }[] = [
    {
      name: 'a copy: digests, sizes, platforms, reused blobs, no lastError, Ready=True',
      current: { phase: 'Copying', lastError: 'old', conditions: [] },
      outcome: outcome({ targetDigest: D2, private: true }),
      want: {
        phase: 'Ready',
        sourceDigest: D1,
        targetDigest: D2,
        platforms: ['linux/amd64', 'linux/arm64'],
        bytesTotal: 3000,
        size: '2.9 KiB',
        bytesDone: 3000,
        blobsTotal: 6,
        blobsDone: 6,
        blobsReused: 3,
        private: true,
        lastError: null,
        progress: '6/6 blobs, 100%',
        completedAt: T1.toISOString(),
      },
    },
    {
      name: 'a single image: no platforms (an earlier value is removed)',
      current: { platforms: ['linux/amd64'] },
      outcome: outcome({ platforms: [] }),
      want: { platforms: null },
    },
    {
      name: 'already present: digests and Ready, sizes and platforms left as an earlier copy wrote them',
      current: undefined,
      outcome: outcome({ skipped: true, bytesTotal: 0, blobsTotal: 0, blobsSkipped: 0, blobsMounted: 0 }),
      want: {
        phase: 'Ready',
        targetDigest: D1,
        progress: 'already present',
        platforms: undefined,
        bytesTotal: undefined,
        size: undefined,
        blobsTotal: undefined,
      },
    },
  ];
  for (const c of table) {
    it(`ready — ${c.name}`, () => {
      const patch = readyStatus(c.current, c.outcome, 4, T1) as Record<string, unknown>;
      for (const [key, value] of Object.entries(c.want)) assert.deepEqual(patch[key], value, key);
      assert.equal(patch.observedGeneration, 4);
      const ready = readyStatus(c.current, c.outcome, 4, T1).conditions?.find((x) => x.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.reason, c.outcome.skipped ? 'AlreadyPresent' : 'Copied');
    });
  }

  it('failed: lastError, Ready=False with the code as reason; a second failure keeps the transition time', () => {
    const failure = { code: 'REGISTRY_UNAUTHORIZED', message: 'registry r refused access for scope "x"' };
    const first = failedStatus(startedStatus(undefined, 1, T0) as ImageBackupStatus, failure, 1, T0);
    assert.equal(first.phase, 'Failed');
    assert.equal(first.lastError, failure.message);
    assert.equal(first.observedGeneration, 1);
    const ready = first.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      [ready?.status, ready?.reason, ready?.message],
      ['False', failure.code, failure.message],
    );
    const again = failedStatus(first as ImageBackupStatus, failure, 1, T1);
    assert.equal(again.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, T0.toISOString());
  });
});

describe('status texts', () => {
  it('a failure of any length fits the CRD: lastError and the condition message capped at 32768', () => {
    const failure = {
      code: 'REGISTRY_ERROR',
      message: `registry r: GET answered 400 (${'x'.repeat(65_536)})`,
    };
    const patch = failedStatus(undefined, failure, 1, T0);
    const ready = patch.conditions?.find((c) => c.type === 'Ready');
    assert.ok((patch.lastError?.length ?? 0) <= 32_768, `lastError: ${patch.lastError?.length}`);
    assert.ok((ready?.message.length ?? 0) <= 32_768, `message: ${ready?.message.length}`);
    assert.match(patch.lastError ?? '', /^registry r: GET answered 400 \(x+ … \(\d+ more characters cut\)$/);
    assert.equal(ready?.message, patch.lastError);
    // The real limit, not a copy of it: the status passes the schema the CRD is generated from.
    assert.equal(imageBackupStatusSchema.safeParse({ ...patch, conditions: patch.conditions }).success, true);
  });
});
