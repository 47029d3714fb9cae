import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { NetworkError } from '../errors.ts';
import { chunksOf, guardBody, readAtMost } from './body.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('chunksOf cuts a stream into exact-size buffers whatever the input chunking', async () => {
  const data = Buffer.from('abcdefghijklmnopqrstuvwxyz');
  for (const inputSizes of [[26], [1, 2, 3, 20], [5, 5, 5, 5, 6]]) {
    let at = 0;
    const parts = inputSizes.map((n) => data.subarray(at, (at += n)));
    const chunks = await collect(chunksOf(Readable.from(parts), 10));
    assert.deepEqual(
      chunks.map((c) => c.toString()),
      ['abcdefghij', 'klmnopqrst', 'uvwxyz'],
    );
  }
  assert.deepEqual(await collect(chunksOf(Readable.from([]), 10)), []);
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
