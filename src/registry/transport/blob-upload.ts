// Blob uploads and cross-repository mounts (distribution spec "Pushing blobs"): a POST opens a session,
// then either one PUT streams the whole body with Content-Length (monolithic), or PATCHes send it in
// chunks with Content-Range, always to the latest Location, closed by a PUT with ?digest=. A failed
// upload cancels its session (best effort). Streamed bodies are sent once and never retried here: a
// failure is a `temporary` error and the caller restarts with a fresh body.
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { pullScope, pushScope } from '../auth/scope.ts';
import { DigestMismatchError, ProtocolError, type RegistryErrorFields } from '../model/errors.ts';
import type { RegistryClient } from '../model/types.ts';
import { partsOf } from './body.ts';
import { releaseResponse, requestFailure } from './outcome.ts';
import type { SendRequest } from './transport.ts';
import { resolveLocation, withQuery } from './url.ts';
import { header, responseError, type WireResponse } from './wire.ts';

export interface BlobUploadContext {
  readonly registry: string;
  readonly send: (request: SendRequest) => Promise<WireResponse>;
  readonly logger: Logger;
  readonly now: () => number;
  /** PATCH size when the caller gives none. */
  readonly chunkSize: number;
}

export type BlobUploads = Pick<RegistryClient, 'mountBlob' | 'pushBlob' | 'pushBlobChunked'>;

export function createBlobUploads(ctx: BlobUploadContext): BlobUploads {
  const { registry, send, logger, now } = ctx;
  const fields = (repository: string, digest?: string): RegistryErrorFields => ({
    registry,
    repository,
    digest,
  });
  const fail = requestFailure(registry, now);

  function checkReportedDigest(res: WireResponse, repository: string, digest: string): void {
    const reported = header(res.headers, 'docker-content-digest');
    if (reported !== undefined && reported !== digest) {
      throw new DigestMismatchError({
        ...fields(repository, digest),
        expected: digest,
        actual: reported,
        what: 'uploaded blob (registry report)',
      });
    }
  }

  /** POST an upload session: its Location and the registry's minimum chunk size, if it states one. */
  async function startUpload(
    repository: string,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<{ url: URL; minChunk: number | undefined }> {
    const req: SendRequest = {
      method: 'POST',
      url: `/v2/${repository}/blobs/uploads/`,
      scopes: [pushScope(repository)],
      headers: { 'content-length': '0' },
      signal,
      repository,
      digest,
      action: `starting upload of blob ${registry}/${repository}@${digest}`,
    };
    const res = await send(req);
    if (res.status !== 202) return fail(res, req);
    await releaseResponse(res);
    const location = header(res.headers, 'location');
    if (location === undefined) {
      throw new ProtocolError(
        `registry ${registry} opened an upload for ${repository} without a Location`,
        fields(repository, digest),
      );
    }
    const min = header(res.headers, 'oci-chunk-min-length');
    return {
      url: resolveLocation(res.url, location),
      minChunk: min !== undefined && /^\d+$/.test(min) ? Number(min) : undefined,
    };
  }

  /** Best-effort DELETE of an upload session; a failure only leaves garbage the registry expires. */
  async function cancelUpload(repository: string, url: URL): Promise<void> {
    try {
      const res = await send({
        method: 'DELETE',
        url,
        // distribution checks DELETE against the `delete` action, even for an upload session.
        scopes: [pushScope(repository), `repository:${repository}:delete`],
        repository,
        noRetry: true,
      });
      await releaseResponse(res);
    } catch (err) {
      logger.debug(
        { registry, repository, err: (err as Error).message },
        'cancelling an upload session failed',
      );
    }
  }

  return {
    async mountBlob(repository, digest, fromRepository, opts) {
      const req: SendRequest = {
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`,
        scopes: [pushScope(repository), pullScope(fromRepository)],
        headers: { 'content-length': '0' },
        signal: opts?.signal,
        repository,
        digest,
        action: `mounting blob ${digest} from ${fromRepository} into ${registry}/${repository}`,
      };
      const res = await send(req);
      if (res.status === 201) {
        await releaseResponse(res);
        return true;
      }
      if (res.status !== 202) return fail(res, req);
      await releaseResponse(res);
      const location = header(res.headers, 'location');
      if (location !== undefined) await cancelUpload(repository, resolveLocation(res.url, location));
      return false;
    },

    async pushBlob(repository, digest, size, body, opts) {
      try {
        const upload = await startUpload(repository, digest, opts?.signal);
        const req: SendRequest = {
          method: 'PUT',
          url: withQuery(upload.url, { digest }),
          scopes: [pushScope(repository)],
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
          body,
          signal: opts?.signal,
          repository,
          digest,
          action: `uploading blob ${registry}/${repository}@${digest}`,
        };
        let res: WireResponse;
        try {
          res = await send(req);
        } catch (err) {
          await cancelUpload(repository, upload.url);
          throw err;
        }
        if (res.status !== 201 && res.status !== 204 && res.status !== 200) {
          const err = await responseError(res, req.method, {
            registry,
            repository,
            digest,
            action: req.action,
            now,
          });
          await cancelUpload(repository, upload.url);
          throw err;
        }
        await releaseResponse(res);
        checkReportedDigest(res, repository, digest);
      } finally {
        if (!body.destroyed && !body.readableEnded) body.destroy();
      }
    },

    async pushBlobChunked(repository, digest, size, body, opts) {
      try {
        const upload = await startUpload(repository, digest, opts?.signal);
        const chunkSize = Math.max(opts?.chunkSize ?? ctx.chunkSize, upload.minChunk ?? 1);
        let url = upload.url;
        let offset = 0;
        try {
          for (const part of partsOf(body, size, chunkSize)) {
            const range = `${part.offset}-${part.offset + part.length - 1}`;
            const req: SendRequest = {
              method: 'PATCH',
              url,
              scopes: [pushScope(repository)],
              headers: {
                'content-type': 'application/octet-stream',
                'content-range': range,
                'content-length': String(part.length),
              },
              // Streamed, never buffered; a PATCH the registry may have applied is sent once.
              body: Readable.from(part.bytes, { objectMode: false }),
              signal: opts?.signal,
              repository,
              digest,
              action: `uploading chunk ${range} of blob ${registry}/${repository}@${digest}`,
              noRetry: true,
            };
            const res = await send(req);
            if (res.status !== 202 && res.status !== 201 && res.status !== 204) await fail(res, req);
            await releaseResponse(res);
            const location = header(res.headers, 'location');
            // Distribution's upload state lives in the Location's query: always use the latest.
            if (location !== undefined) url = resolveLocation(res.url, location);
            offset += part.length;
          }
          if (offset !== size) {
            throw new ProtocolError(
              `blob ${registry}/${repository}@${digest}: the body had ${offset} bytes, expected ${size}`,
              { ...fields(repository, digest), temporary: true },
            );
          }
          const req: SendRequest = {
            method: 'PUT',
            url: withQuery(url, { digest }),
            scopes: [pushScope(repository)],
            headers: { 'content-type': 'application/octet-stream', 'content-length': '0' },
            signal: opts?.signal,
            repository,
            digest,
            action: `completing chunked upload of blob ${registry}/${repository}@${digest}`,
            noRetry: true,
          };
          const res = await send(req);
          if (res.status !== 201 && res.status !== 204 && res.status !== 200) await fail(res, req);
          await releaseResponse(res);
          checkReportedDigest(res, repository, digest);
        } catch (err) {
          await cancelUpload(repository, url);
          throw err;
        }
      } finally {
        if (!body.destroyed && !body.readableEnded) body.destroy();
      }
    },
  };
}
