// Manifest calls. Guarantees: bodies over the limit (4 MiB) are refused after reading at most the
// limit + 1 bytes; the bytes are checked against the reference when it is a digest and against
// Docker-Content-Digest when the registry sends one; the type is decided by manifest/'s rules (see
// media-type.ts), schema 1 and types a copy does not copy refused by name.
import { isDigest } from '../../reference/index.ts';
import { pushScope } from '../auth/scope.ts';
import { DigestMismatchError, ManifestTooLargeError } from '../model/errors.ts';
import { digestLike, headerMediaType, isSchema1 } from '../manifest/index.ts';
import { guardBody, readAtMost } from '../transport/body.ts';
import { releaseResponse } from '../transport/outcome.ts';
import type { SendRequest } from '../transport/transport.ts';
import { header } from '../transport/wire.ts';
import type { CallOptions, Manifest, RegistryClient } from '../model/types.ts';
import { fetchedMediaType, unsupportedMediaType } from './media-type.ts';
import { contentLength, pullHead, pullRequest, type CallContext } from './pull.ts';

export interface ManifestCallsContext extends CallContext {
  /** Larger manifests are refused, never read whole. */
  readonly maxManifestBytes: number;
}

export type ManifestCalls = Pick<RegistryClient, 'headManifest' | 'getManifest' | 'putManifest'>;

export function createManifestCalls(ctx: ManifestCallsContext): ManifestCalls {
  const { registry, send, fail, maxManifestBytes } = ctx;

  async function getManifest(repository: string, reference: string, opts?: CallOptions): Promise<Manifest> {
    const req = pullRequest(registry, 'GET', 'manifests', repository, reference, opts?.signal);
    const res = await send(req);
    if (res.status !== 200) return fail(res, req);
    const tooLarge = new ManifestTooLargeError({
      registry,
      repository,
      digest: req.digest,
      limit: maxManifestBytes,
      reference,
    });
    const declared = contentLength(res);
    if (declared !== undefined && declared > maxManifestBytes) {
      res.body.destroy();
      throw tooLarge;
    }
    const guarded = guardBody(res.body, declared ?? -1, {
      registry,
      repository,
      method: 'GET',
      url: res.url.toString(),
    });
    const bytes = await readAtMost(guarded, maxManifestBytes);
    if (bytes === undefined) throw tooLarge;
    // The type first, so that schema 1 (whose signed digest is not the hash of its bytes) is refused
    // by name rather than as a digest mismatch.
    const at = { registry, repository, reference };
    const mediaType = fetchedMediaType(bytes, header(res.headers, 'content-type'), at);
    if (isDigest(reference)) {
      const actual = digestLike(bytes, reference);
      if (actual !== reference) {
        throw new DigestMismatchError({
          registry,
          repository,
          expected: reference,
          actual,
          what: 'manifest',
        });
      }
    }
    const announced = header(res.headers, 'docker-content-digest');
    const digest = digestLike(bytes, announced ?? reference);
    if (announced !== undefined && announced !== digest) {
      throw new DigestMismatchError({
        registry,
        repository,
        expected: announced,
        actual: digest,
        what: `manifest ${reference} (Docker-Content-Digest)`,
      });
    }
    return { digest, mediaType, size: bytes.length, bytes };
  }

  return {
    async headManifest(repository, reference, opts) {
      const res = await pullHead(ctx, 'manifests', repository, reference, opts?.signal);
      if (res === undefined) return undefined;
      // A HEAD refuses only schema 1: it tells whether and what is there, and the GET of anything a
      // copy then reads refuses every other type it does not copy.
      const mediaType = headerMediaType(header(res.headers, 'content-type'));
      if (mediaType !== undefined && isSchema1(mediaType))
        throw unsupportedMediaType(mediaType, { registry, repository, reference });
      const digest =
        header(res.headers, 'docker-content-digest') ?? (isDigest(reference) ? reference : undefined);
      const size = contentLength(res);
      if (digest === undefined || size === undefined || mediaType === undefined) {
        // Old registries leave headers out of HEAD (or send a generic type); a GET tells everything
        // (and costs a pull).
        const m = await getManifest(repository, reference, opts);
        return { digest: m.digest, mediaType: m.mediaType, size: m.size };
      }
      return { digest, mediaType, size };
    },

    getManifest,

    async putManifest(repository, reference, manifest, opts) {
      const digest = digestLike(manifest.bytes, reference);
      if (isDigest(reference) && digest !== reference) {
        throw new DigestMismatchError({
          registry,
          repository,
          expected: reference,
          actual: digest,
          what: 'manifest to push',
        });
      }
      if (isSchema1(manifest.mediaType))
        throw unsupportedMediaType(manifest.mediaType, { registry, repository, reference });
      const req: SendRequest = {
        method: 'PUT',
        url: `/v2/${repository}/manifests/${reference}`,
        scopes: [pushScope(repository)],
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
        signal: opts?.signal,
        repository,
        digest,
        action: `pushing manifest ${registry}/${repository}:${reference}`,
      };
      const res = await send(req);
      if (res.status !== 201 && res.status !== 200 && res.status !== 202) return fail(res, req);
      await releaseResponse(res);
      // A report in another algorithm than ours cannot be compared; one in ours must agree.
      const reported = header(res.headers, 'docker-content-digest');
      if (
        reported !== undefined &&
        reported.startsWith(digest.slice(0, digest.indexOf(':') + 1)) &&
        reported !== digest
      ) {
        throw new DigestMismatchError({
          registry,
          repository,
          expected: digest,
          actual: reported,
          what: 'pushed manifest (registry report)',
        });
      }
      return reported ?? digest;
    },
  };
}
