import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { BlobMismatchError } from './errors.ts';
import { createVerifier } from './verify-stream.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const content = Buffer.from('0123456789abcdef'.repeat(64));
const parts = (b: Buffer, size: number): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
};

/** Pipes `body` through a verifier into a sink that records what reached it and whether it ended. */
async function run(body: Buffer[], digest: string, size: number) {
  const received: Buffer[] = [];
  let ended = false;
  let released = 0;
  const verifier = createVerifier({
    registry: 'r.test',
    repository: 'repo',
    digest,
    size,
    onBytes: (n) => (released += n),
  });
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      received.push(chunk);
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  const error = await pipeline(Readable.from(body, { objectMode: false }), verifier.stream, sink).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { received: Buffer.concat(received), ended, error, released, failure: verifier.failure };
}

describe('createVerifier', () => {
  it('passes a correct body through unchanged and counts every byte', async () => {
    const out = await run(parts(content, 100), sha(content), content.length);
    assert.equal(out.error, undefined);
    assert.equal(out.ended, true);
    assert.deepEqual(out.received, content);
    assert.equal(out.released, content.length);
  });

  it('never releases the last chunk of a body with the wrong digest, and names both digests', async () => {
    const wrong = Buffer.from(content);
    wrong[wrong.length - 1] = 0;
    const out = await run(parts(wrong, 100), sha(content), content.length);
    assert.ok(out.error instanceof BlobMismatchError);
    assert.equal(out.error.code, 'BLOB_DIGEST_MISMATCH');
    assert.equal(out.error.temporary, false);
    assert.ok(out.error.message.includes(sha(content)) && out.error.message.includes(sha(wrong)));
    assert.equal(out.ended, false, 'the downstream never saw an end');
    assert.ok(out.received.length < wrong.length, 'the downstream never saw the whole body');
    assert.equal(out.failure, out.error);
  });

  it('holds back a body that arrives in one chunk until it is verified', async () => {
    const wrong = Buffer.from(content).fill(1);
    const out = await run([wrong], sha(content), content.length);
    assert.ok(out.error instanceof BlobMismatchError);
    assert.equal(out.received.length, 0);
  });

  it('fails a truncated body as a temporary size mismatch', async () => {
    const out = await run(parts(content.subarray(0, 500), 100), sha(content), content.length);
    assert.ok(out.error instanceof BlobMismatchError);
    assert.equal(out.error.code, 'BLOB_SIZE_MISMATCH');
    assert.equal(out.error.temporary, true);
    assert.equal(out.error.actual, '500');
    assert.equal(out.ended, false);
  });

  it('fails a body longer than announced as soon as it overflows', async () => {
    const out = await run(parts(Buffer.concat([content, content]), 100), sha(content), content.length);
    assert.ok(out.error instanceof BlobMismatchError);
    assert.equal(out.error.code, 'BLOB_SIZE_MISMATCH');
    assert.ok(out.received.length <= content.length);
  });

  it('accepts an empty blob', async () => {
    const out = await run([], sha(Buffer.alloc(0)), 0);
    assert.equal(out.error, undefined);
    assert.equal(out.ended, true);
  });
});
