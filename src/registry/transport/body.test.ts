import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { NetworkError } from '../model/errors.ts';
import { guardBody, partsOf, readAtMost } from './body.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Reads every part in turn, as the chunked upload does: each to its end before the next. */
async function readParts(body: Readable, size: number, partSize: number) {
  const out: { offset: number; length: number; text: string }[] = [];
  for (const part of partsOf(body, size, partSize)) {
    const bytes = await collect(part.bytes);
    out.push({ offset: part.offset, length: part.length, text: Buffer.concat(bytes).toString() });
  }
  return out;
}

test('partsOf cuts a body into consecutive parts of the part size, whatever the input chunking', async () => {
  const data = Buffer.from('abcdefghijklmnopqrstuvwxyz');
  for (const inputSizes of [[26], [1, 2, 3, 20], [5, 5, 5, 5, 6], [10, 10, 6]]) {
    let at = 0;
    const pieces = inputSizes.map((n) => data.subarray(at, (at += n)));
    assert.deepEqual(await readParts(Readable.from(pieces), 26, 10), [
      { offset: 0, length: 10, text: 'abcdefghij' },
      { offset: 10, length: 10, text: 'klmnopqrst' },
      { offset: 20, length: 6, text: 'uvwxyz' },
    ]);
  }
  assert.deepEqual(await readParts(Readable.from([]), 0, 10), []);
});

test('partsOf passes the source buffers through without copying them', async () => {
  const source = Buffer.from('abcdefghij');
  const [part] = [...partsOf(Readable.from([source]), 10, 64 * 1024 * 1024)];
  const [chunk] = await collect(part!.bytes);
  assert.equal(chunk!.buffer, source.buffer, 'a view of the source chunk, not a copy');
});

test('partsOf ends a part short when the body is short, and fails the last part when it is long', async () => {
  assert.deepEqual(await readParts(Readable.from([Buffer.from('abc')]), 5, 10), [
    { offset: 0, length: 5, text: 'abc' },
  ]);
  await assert.rejects(
    readParts(Readable.from([Buffer.from('abcdef')]), 5, 10),
    /longer than its declared 5/,
  );
  await assert.rejects(
    readParts(Readable.from([Buffer.from('abcde'), Buffer.from('f')]), 5, 10),
    /longer than its declared 5/,
  );
});

test('readAtMost returns the body within the limit and undefined past it', async () => {
  assert.equal((await readAtMost(Readable.from([Buffer.from('1234')]), 4))?.toString(), '1234');
  const big = Readable.from([Buffer.from('12'), Buffer.from('345')]);
  assert.equal(await readAtMost(big, 4), undefined);
  assert.equal(big.destroyed, true);
});

test('guardBody passes the bytes through and fails a short body with a temporary NetworkError', async () => {
  const ok = guardBody(Readable.from([Buffer.from('abc')]), 3, { registry: 'r' });
  assert.equal(Buffer.concat(await collect<Buffer>(ok)).toString(), 'abc');
  const short = guardBody(Readable.from([Buffer.from('ab')]), 3, { registry: 'r', repository: 'x' });
  await assert.rejects(collect(short), (err: unknown) => err instanceof NetworkError && err.temporary);
});

test('guardBody types a mid-body socket error and destroying it releases the source', async () => {
  const source = new Readable({ read() {} });
  const guarded = guardBody(source, 10, { registry: 'r', url: 'http://127.0.0.1:1/v2/x/blobs/d' });
  source.push(Buffer.from('abc'));
  const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  setImmediate(() => source.destroy(reset));
  await assert.rejects(collect(guarded), (err: unknown) => {
    assert.ok(err instanceof NetworkError);
    assert.equal(err.temporary, true);
    assert.equal(err.errno, 'UND_ERR_SOCKET');
    return true;
  });
  const source2 = new Readable({ read() {} });
  const guarded2 = guardBody(source2, 10, { registry: 'r' });
  guarded2.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(source2.destroyed, true);
});
