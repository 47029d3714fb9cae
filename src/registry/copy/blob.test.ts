// copyBlob's single-flight on registry doubles that cannot mount (crane's registry, or a mount
// refused for scope) and hold blobs per repository: the one case where every waiter must upload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import pino from 'pino';
import { RegistryError, TooManyRequestsError } from '../model/errors.ts';
import { createUploadRestartWait } from '../client/upload-restarts.ts';
import type { RegistryClient } from '../model/types.ts';
import { copyBlob, type BlobContext } from './blob.ts';
import { createProgressTracker } from './progress.ts';
import { createCopyScheduler, type CopyScheduler } from './scheduler.ts';

const data = Buffer.alloc(4096, 1);
const blob = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
  size: data.length,
};

/** A target without mounts; uploads take `uploadMs` and are counted while they run. */
function noMountTarget(uploadMs: number) {
  const stored = new Set<string>();
  const stats = { inFlight: 0, maxInFlight: 0, uploads: [] as string[] };
  const unused = (): never => {
    throw new Error('not used by copyBlob');
  };
  const client: RegistryClient = {
    host: 'backup.example',
    headManifest: unused,
    getManifest: unused,
    putManifest: unused,
    getBlob: unused,
    pushBlobChunked: unused,
    headBlob: (repository) => Promise.resolve(stored.has(repository) ? data.length : undefined),
    mountBlob: () => Promise.resolve(false),
    // The client's own restart pacing (DEFAULT_RETRY_POLICY, real sleep), so the timing is the product's.
    waitToRestartUpload: createUploadRestartWait(),
    async pushBlob(repository, _digest, _size, body) {
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.uploads.push(repository);
      for await (const chunk of body as AsyncIterable<Buffer>) void chunk;
      await sleep(uploadMs);
      stored.add(repository);
      stats.inFlight -= 1;
    },
  };
  return { client, stats };
}

const source: RegistryClient = {
  ...noMountTarget(0).client,
  host: 'source.example',
  getBlob: () => Promise.resolve({ body: Readable.from([data]), size: data.length }),
};

function context(
  target: RegistryClient,
  repository: string,
  scheduler: CopyScheduler,
  signal = new AbortController().signal,
): BlobContext {
  return {
    source: { client: source, repository: 'library/app' },
    target: { client: target, repository },
    scheduler,
    progress: createProgressTracker({ now: Date.now, intervalMs: 1000 }),
    mountSources: () => [],
    chunkSize: undefined,
    signal,
    logger: pino({ level: 'silent' }),
  };
}

describe('copyBlob single-flight', () => {
  it('never uploads one digest twice at once, even when every waiter has to upload', async () => {
    const { client, stats } = noMountTarget(30);
    const scheduler = createCopyScheduler();
    const outcomes = await Promise.all(
      ['x', 'y', 'y', 'z'].map((repository) => copyBlob(context(client, repository, scheduler), blob)),
    );
    assert.equal(stats.maxInFlight, 1, 'uploads of the digest at once');
    assert.deepEqual([...stats.uploads].sort(), ['x', 'y', 'z'], 'one upload per repository');
    assert.deepEqual([...outcomes].sort(), ['copied', 'copied', 'copied', 'present']);
  });

  it('lets a waiting copy stop at its own abort while the upload it waits for runs on', async () => {
    const { client, stats } = noMountTarget(300);
    const scheduler = createCopyScheduler();
    const first = copyBlob(context(client, 'x', scheduler), blob);
    let firstSettled = false;
    void first.finally(() => (firstSettled = true));
    const stop = new AbortController();
    const waiter = copyBlob(context(client, 'y', scheduler, stop.signal), blob);
    await sleep(20);
    stop.abort(new Error('copy cancelled'));
    await assert.rejects(waiter, /copy cancelled/);
    assert.equal(firstSettled, false, 'the waiter stopped before the upload it waited for ended');
    assert.equal(await first, 'copied');
    assert.deepEqual(stats.uploads, ['x']);
  });
});

describe('copyBlob upload restarts', () => {
  /** A target whose uploads fail with `failures` in turn, then succeed; it records each attempt. */
  function flakyTarget(failures: Error[]) {
    const attempts: { mode: string; at: number }[] = [];
    const base = noMountTarget(0).client;
    const attempt = async (mode: string, body: Readable): Promise<void> => {
      attempts.push({ mode, at: Date.now() });
      for await (const chunk of body as AsyncIterable<Buffer>) void chunk;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
    };
    const client: RegistryClient = {
      ...base,
      pushBlob: (_repository, _digest, _size, body) => attempt('monolithic', body),
      pushBlobChunked: (_repository, _digest, _size, body) => attempt('chunked', body),
    };
    return { client, attempts };
  }
  const fields = { registry: 'backup.example', repository: 'x', digest: blob.digest };

  it('waits for Retry-After after a 429, restarts chunked, and retries a 503 on a chunk', async () => {
    const { client, attempts } = flakyTarget([
      new TooManyRequestsError('PUT answered 429', { ...fields, status: 429, retryAfterMs: 120 }),
      new RegistryError('PATCH answered 503', { ...fields, status: 503, temporary: true }),
    ]);
    assert.equal(await copyBlob(context(client, 'x', createCopyScheduler()), blob), 'copied');
    assert.deepEqual(
      attempts.map((a) => a.mode),
      ['monolithic', 'chunked', 'chunked'],
    );
    const [first, second] = attempts;
    assert.ok(
      second!.at - first!.at >= 115,
      `restarted ${second!.at - first!.at} ms after a Retry-After of 120 ms`,
    );
  });

  it('gives up after the last attempt with the registry error, and on a lasting chunked failure at once', async () => {
    const unavailable = (): RegistryError =>
      new RegistryError('PATCH answered 503', { ...fields, status: 503, temporary: true });
    const always = flakyTarget([unavailable(), unavailable(), unavailable(), unavailable(), unavailable()]);
    await assert.rejects(copyBlob(context(always.client, 'x', createCopyScheduler()), blob), /503/);
    assert.equal(always.attempts.length, 4);

    const refused = flakyTarget([
      new RegistryError('PUT answered 413', { ...fields, status: 413, temporary: false }),
      new RegistryError('PATCH answered 400', { ...fields, status: 400, temporary: false }),
    ]);
    await assert.rejects(copyBlob(context(refused.client, 'x', createCopyScheduler()), blob), /400/);
    assert.deepEqual(
      refused.attempts.map((a) => a.mode),
      ['monolithic', 'chunked'],
    );
  });
});
