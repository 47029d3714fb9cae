// Response and request body helpers: a guard that turns a blob body's socket errors and short reads into
// typed, retryable errors, a capped reader for manifests, and a chunker for PATCH uploads.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { NetworkError, RegistryError, type RegistryErrorFields } from '../errors.ts';
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

/** Splits a stream into Buffers of exactly `size` bytes (the last one shorter). */
export async function* chunksOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const raw of body as AsyncIterable<Buffer>) {
    let chunk = raw;
    while (pendingBytes + chunk.length >= size) {
      const take = size - pendingBytes;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending, size);
      chunk = chunk.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
