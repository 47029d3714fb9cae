// Response and request body helpers: a guard that turns a blob body's socket errors and short reads into
// typed, retryable errors, a capped reader for manifests, and a splitter of upload bodies into PATCH parts.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { NetworkError, RegistryError, type RegistryErrorFields } from '../model/errors.ts';
import { wireError } from './wire.ts';

/**
 * Pipes `body` through a byte counter. The returned stream fails with a temporary `NetworkError` when
 * the connection breaks mid-body or ends before `expectedSize` bytes (when known, ≥ 0); destroying
 * it destroys `body`, releasing the connection.
 */
export function guardBody(body: Readable, expectedSize: number, fields: RegistryErrorFields): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (expectedSize >= 0 && seen !== expectedSize) {
        cb(
          new NetworkError(
            `blob body from registry ${fields.registry} ended after ${seen} of ${expectedSize} bytes`,
            { ...fields, temporary: true },
          ),
        );
        return;
      }
      cb();
    },
  });
  // Not `pipeline`: it would destroy the counter with the raw socket error before we could type it.
  body.on('error', (err) => {
    counter.destroy(
      err instanceof RegistryError
        ? err
        : (wireError(err, fields, fields.method ?? 'GET', new URL(fields.url ?? 'http://invalid/')) as Error),
    );
  });
  // The consumer destroying the counter (or it failing) must release the connection.
  counter.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(counter);
  return counter;
}

/**
 * Reads `body` fully, but never more than `limit` + 1 bytes: returns undefined (and destroys the rest)
 * as soon as the limit is passed, so an oversized body costs at most limit + 1 bytes of memory.
 */
export async function readAtMost(body: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** One PATCH's worth of a blob: where it starts, how long it is, and its bytes as they arrive. */
export interface UploadPart {
  readonly offset: number;
  readonly length: number;
  readonly bytes: AsyncIterable<Buffer>;
}

/**
 * Cuts a body of known `size` into consecutive parts of `partSize` bytes (the last shorter), each an
 * async iterable over the body's own buffers: nothing is buffered beyond one source chunk, whatever
 * the part size (a registry's OCI-Chunk-Min-Length may be large). Contract: read each part to its end
 * before taking the next. A body that ends early ends its part short (the PATCH's Content-Length then
 * fails it); one with bytes past `size` fails the last part.
 */
export function* partsOf(body: Readable, size: number, partSize: number): Generator<UploadPart> {
  const source = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let leftover: Buffer | undefined;
  async function* part(length: number, last: boolean): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      let chunk = leftover;
      leftover = undefined;
      if (chunk === undefined) {
        const next = await source.next();
        if (next.done === true) return;
        chunk = next.value;
      }
      if (chunk.length > remaining) {
        leftover = chunk.subarray(remaining);
        chunk = chunk.subarray(0, remaining);
      }
      remaining -= chunk.length;
      yield chunk;
    }
    if (last && (leftover !== undefined || (await source.next()).done !== true)) {
      throw new RangeError(`upload body is longer than its declared ${size} bytes`);
    }
  }
  for (let offset = 0; offset < size; offset += partSize) {
    const length = Math.min(partSize, size - offset);
    yield { offset, length, bytes: part(length, offset + length >= size) };
  }
}
