// Blob reads: HEAD (is it there, and how big) and GET (a guarded stream). Uploads and mounts are
// transport/blob-upload.ts.
import { ProtocolError } from '../model/errors.ts';
import { guardBody } from '../transport/body.ts';
import type { RegistryClient } from '../model/types.ts';
import { contentLength, pullHead, pullRequest, type CallContext } from './pull.ts';

export type BlobReads = Pick<RegistryClient, 'headBlob' | 'getBlob'>;

export function createBlobReads(ctx: CallContext): BlobReads {
  const { registry, send, fail } = ctx;
  return {
    /** 404 is an answer (`undefined`); a 200 without Content-Length is a protocol error. */
    async headBlob(repository, digest, opts) {
      const res = await pullHead(ctx, 'blobs', repository, digest, opts?.signal);
      if (res === undefined) return undefined;
      const size = contentLength(res);
      if (size === undefined) {
        const message = `registry ${registry} answered HEAD ${repository}@${digest} without Content-Length`;
        throw new ProtocolError(message, { registry, repository, digest });
      }
      return size;
    },

    /** The body fails with typed temporary errors on resets and short reads (see guardBody). */
    async getBlob(repository, digest, opts) {
      const req = pullRequest(registry, 'GET', 'blobs', repository, digest, opts?.signal);
      const res = await send(req);
      if (res.status !== 200) return fail(res, req);
      const size = contentLength(res) ?? -1;
      const body = guardBody(res.body, size, {
        registry,
        repository,
        digest,
        method: 'GET',
        url: res.url.toString(),
      });
      return { body, size };
    },
  };
}
