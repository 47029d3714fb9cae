// The in-flight integrity check between a source GET and a target upload. It hashes every byte and
// holds back the last chunk it has seen until the end of the stream proves the digest and size right:
// an upload with a Content-Length cannot complete without that last chunk, so a wrong body is never
// completed and never stored under the expected digest.
import { Transform, type TransformCallback } from 'node:stream';
import { createDigester } from '../../reference/index.ts';
import { verifiedAlgorithm } from '../manifest/index.ts';
import { BlobMismatchError } from './errors.ts';

export interface VerifierOptions {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly size: number;
  /** Called with the length of each chunk once it is released downstream. */
  readonly onBytes?: (bytes: number) => void;
  readonly highWaterMark?: number;
}

export interface Verifier {
  readonly stream: Transform;
  /** The mismatch that failed the stream, if one did; lets callers see it behind a wrapped upload error. */
  readonly failure: BlobMismatchError | undefined;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const digester = createDigester(verifiedAlgorithm(options.digest));
  const onBytes = options.onBytes ?? (() => {});
  let held: Buffer | undefined;
  let seen = 0;
  let failure: BlobMismatchError | undefined;

  const mismatch = (kind: 'digest' | 'size', actual: string): BlobMismatchError => {
    failure = new BlobMismatchError({
      kind,
      registry: options.registry,
      repository: options.repository,
      digest: options.digest,
      expected: kind === 'digest' ? options.digest : String(options.size),
      actual,
    });
    return failure;
  };

  const stream = new Transform({
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (chunk.length === 0) return callback();
      seen += chunk.length;
      if (seen > options.size) return callback(mismatch('size', `more than ${options.size}`));
      digester.hash.update(chunk);
      const release = held;
      held = chunk;
      if (release === undefined) return callback();
      onBytes(release.length);
      callback(null, release);
    },
    flush(callback: TransformCallback): void {
      if (seen !== options.size) return callback(mismatch('size', String(seen)));
      const actual = digester.finish();
      if (actual !== options.digest) return callback(mismatch('digest', actual));
      if (held !== undefined) {
        onBytes(held.length);
        this.push(held);
        held = undefined;
      }
      callback();
    },
  });

  return {
    stream,
    get failure() {
      return failure;
    },
  };
}
