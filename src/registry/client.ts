// `createRegistryClient`: the RegistryClient of types.ts over the transport (auth, retries, redirects,
// TLS). Every method names registry, repository and digest in its errors. Guarantees:
//  - manifests: Accept lists OCI index/manifest and Docker list/v2; bodies over 4 MiB are refused
//    after reading at most 4 MiB + 1 bytes; the digest is verified when the reference is a digest and
//    against Docker-Content-Digest when present; schema 1 and unknown types are refused by name;
//  - blobs: HEAD 404 is `undefined`; GET bodies fail with typed temporary errors on resets and short
//    reads; uploads stream the caller's body once with Content-Length (never buffered whole);
//  - `close()` destroys the connection pool (unless the caller supplied the dispatcher).
import pino, { type Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createAuthenticator } from './auth/authenticator.ts';
import { ANONYMOUS, type Credentials, type Keychain } from './auth/credentials.ts';
import { pullScope, pushScope } from './auth/scope.ts';
import {
  DigestMismatchError,
  ManifestTooLargeError,
  ProtocolError,
  UnsupportedMediaTypeError,
  type RegistryErrorFields,
} from './errors.ts';
import {
  GENERIC_CONTENT_TYPES,
  digestAlgorithm,
  digestOf as bytesDigest,
  isDigest,
} from './manifest/index.ts';
import { createRegistryAgent } from './transport/agent.ts';
import { createBlobUploads } from './transport/blob-upload.ts';
import { guardBody, readAtMost } from './transport/body.ts';
import type { RequestHook } from './transport/metrics.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport/retry.ts';
import { registryOrigin } from './transport/scheme.ts';
import { releaseResponse, requestFailure } from './transport/outcome.ts';
import { sleep as abortableSleep } from '../common/sleep.ts';
import { createTokenHttp, createTransport, type SendRequest } from './transport/transport.ts';
import { createWire, header, type WireResponse } from './transport/wire.ts';
import type { BlobReader, CallOptions, Manifest, ManifestHead, RegistryClient } from './types.ts';

const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Manifest types we copy; anything else is refused by name. */
const SUPPORTED_MANIFEST_TYPES: ReadonlySet<string> = new Set(Object.values(MEDIA_TYPES));
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);
const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

const DEFAULTS = {
  /** Sockets per registry: enough for parallel blob streams, few enough not to trip per-IP limits. */
  connections: 16,
  /** A registry that does not accept a TCP/TLS connection in 15 s is down, not slow. */
  connectTimeoutMs: 15_000,
  /** After an upload's last byte the registry may hash and move a large blob before answering. */
  headersTimeoutMs: 120_000,
  /** A body silent for a minute is a dead connection; the retry layer takes over. */
  bodyTimeoutMs: 60_000,
  retry: DEFAULT_RETRY_POLICY,
  /** Registries redirect blobs once (to storage/CDN); five hops means a loop. */
  maxRedirects: 5,
  userAgent: 'lifeboat',
  /** Manifests above 4 MiB are refused (distribution's and zot's own limit). */
  maxManifestBytes: 4 * 1024 * 1024,
  /** PATCH size when the caller gives none: big enough to amortise a request (parts are streamed, not held). */
  chunkSize: 8 * 1024 * 1024,
} as const;

export interface RegistryClientOptions {
  /** Host as written in references (`127.0.0.1:5000`, `docker.io`). */
  readonly host: string;
  /** Either credentials or a keychain (not both); anonymous when neither. */
  readonly credentials?: Credentials | undefined;
  readonly keychain?: Keychain | undefined;
  /** Reach the registry over plain HTTP (only for hosts listed in --insecure-registries). */
  readonly insecure?: boolean | undefined;
  /** Extra CA certificates (PEM) to trust for this registry. */
  readonly caPems?: readonly string[] | undefined;
  /** Most concurrent connections to the registry. */
  readonly connections?: number | undefined;
  readonly timeouts?:
    { readonly connectMs?: number; readonly headersMs?: number; readonly bodyMs?: number } | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly maxRedirects?: number | undefined;
  readonly userAgent?: string | undefined;
  readonly logger?: Logger | undefined;
  /** Called once per request on the wire; see `registryRequestMetrics`. */
  readonly onRequest?: RequestHook | undefined;
  /** Use this dispatcher instead of a private Agent (not closed by `close()`). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Clock in ms since the epoch (token expiry, Retry-After dates). */
  readonly now?: (() => number) | undefined;
  /** Jitter source in [0, 1). */
  readonly random?: (() => number) | undefined;
  /** How to wait between retries; must reject when the signal aborts. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** A RegistryClient that owns connections. */
export interface ClosableRegistryClient extends RegistryClient {
  /** Closes idle connections and waits for in-flight ones; the client is unusable afterwards. */
  close(): Promise<void>;
}

/** The digest of `bytes` in the algorithm of `like`; one we cannot verify is refused, never swapped. */
function digestOf(bytes: Buffer, like = 'sha256:'): string {
  return bytesDigest(bytes, digestAlgorithm(like));
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t === undefined || t === '' ? undefined : t;
}

function contentLength(res: WireResponse): number | undefined {
  const v = header(res.headers, 'content-length');
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function createRegistryClient(options: RegistryClientOptions): ClosableRegistryClient {
  const registry = options.host;
  if (options.credentials !== undefined && options.keychain !== undefined) {
    throw new TypeError('createRegistryClient: give either credentials or keychain, not both');
  }
  const credentials = options.credentials ?? options.keychain?.resolve(registry) ?? ANONYMOUS;
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const retry: RetryPolicy = { ...DEFAULTS.retry, ...options.retry };
  const insecure = options.insecure ?? false;
  const ownedDispatcher =
    options.dispatcher === undefined
      ? createRegistryAgent({
          connections: options.connections ?? DEFAULTS.connections,
          connectTimeoutMs: options.timeouts?.connectMs ?? DEFAULTS.connectTimeoutMs,
          headersTimeoutMs: options.timeouts?.headersMs ?? DEFAULTS.headersTimeoutMs,
          bodyTimeoutMs: options.timeouts?.bodyMs ?? DEFAULTS.bodyTimeoutMs,
          caPems: options.caPems ?? [],
        })
      : undefined;
  const dispatcher = options.dispatcher ?? ownedDispatcher;
  if (dispatcher === undefined) throw new Error('unreachable: no dispatcher');
  const wire = createWire({
    registry,
    dispatcher,
    userAgent: options.userAgent ?? DEFAULTS.userAgent,
    onRequest: options.onRequest ?? (() => undefined),
  });
  const retryContext = { registry, retry, logger, now, random, sleep };
  const authenticator = createAuthenticator({
    registry,
    credentials,
    now,
    http: createTokenHttp({ ...retryContext, wire, insecure }),
  });
  const transport = createTransport({
    ...retryContext,
    origin: registryOrigin(registry, insecure),
    insecure,
    wire,
    authenticator,
    maxRedirects: options.maxRedirects ?? DEFAULTS.maxRedirects,
  });

  const send = (req: SendRequest): Promise<WireResponse> => transport.send(req);
  const uploads = createBlobUploads({ registry, send, logger, now, chunkSize: DEFAULTS.chunkSize });
  const fail = requestFailure(registry, now);
  const fields = (repository: string, digest?: string): RegistryErrorFields => ({
    registry,
    repository,
    digest,
  });

  /** Refuses schema 1 always, and (when `strict`) every type that is not a supported manifest. */
  function checkMediaType(mediaType: string, repository: string, reference: string, strict: boolean): void {
    if (SCHEMA1_TYPES.has(mediaType)) {
      throw new UnsupportedMediaTypeError({
        ...fields(repository, isDigest(reference) ? reference : undefined),
        mediaType,
        reason: `Docker schema 1 manifests (${reference}) are not supported`,
      });
    }
    if (strict && !SUPPORTED_MANIFEST_TYPES.has(mediaType)) {
      throw new UnsupportedMediaTypeError({
        ...fields(repository, isDigest(reference) ? reference : undefined),
        mediaType,
        reason: `${reference} is not an OCI or Docker v2 manifest or index`,
      });
    }
  }

  /** The media type a manifest body declares, or schemaVersion 1 detection; undefined if none. */
  function declaredMediaType(bytes: Buffer): { mediaType?: string; schemaVersion?: number } {
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; schemaVersion?: unknown };
      return {
        ...(typeof parsed.mediaType === 'string' ? { mediaType: parsed.mediaType } : {}),
        ...(typeof parsed.schemaVersion === 'number' ? { schemaVersion: parsed.schemaVersion } : {}),
      };
    } catch {
      return {};
    }
  }

  /** A GET or HEAD of a manifest or blob: pull scope, redirects followed, the digest known when the reference is one. */
  function pullRequest(
    method: 'GET' | 'HEAD',
    kind: 'manifests' | 'blobs',
    repository: string,
    reference: string,
    signal: AbortSignal | undefined,
  ): SendRequest {
    const verb = method === 'HEAD' ? 'checking' : 'fetching';
    const manifest = kind === 'manifests';
    return {
      method,
      url: `/v2/${repository}/${kind}/${reference}`,
      scopes: [pullScope(repository)],
      ...(manifest ? { headers: { accept: MANIFEST_ACCEPT } } : {}),
      followRedirects: true,
      signal,
      repository,
      digest: manifest ? (isDigest(reference) ? reference : undefined) : reference,
      action: manifest
        ? `${verb} manifest ${registry}/${repository}:${reference}`
        : `${verb} blob ${registry}/${repository}@${reference}`,
    };
  }

  async function getManifest(repository: string, reference: string, opts?: CallOptions): Promise<Manifest> {
    const req = pullRequest('GET', 'manifests', repository, reference, opts?.signal);
    const res = await send(req);
    if (res.status !== 200) return fail(res, req);
    const tooLarge = new ManifestTooLargeError({
      ...fields(repository, req.digest),
      limit: DEFAULTS.maxManifestBytes,
      reference,
    });
    const declared = contentLength(res);
    if (declared !== undefined && declared > DEFAULTS.maxManifestBytes) {
      res.body.destroy();
      throw tooLarge;
    }
    const bytes = await readAtMost(
      guardBody(res.body, declared ?? -1, { ...fields(repository), method: 'GET', url: res.url.toString() }),
      DEFAULTS.maxManifestBytes,
    );
    if (bytes === undefined) throw tooLarge;
    const body = declaredMediaType(bytes);
    const mediaType = mediaTypeOf(header(res.headers, 'content-type'));
    const effective =
      mediaType === undefined || GENERIC_CONTENT_TYPES.has(mediaType)
        ? (body.mediaType ?? mediaType ?? 'application/octet-stream')
        : mediaType;
    if (body.schemaVersion === 1) {
      checkMediaType(
        SCHEMA1_TYPES.has(effective) ? effective : 'application/vnd.docker.distribution.manifest.v1+json',
        repository,
        reference,
        true,
      );
    }
    checkMediaType(effective, repository, reference, true);
    if (body.mediaType !== undefined && body.mediaType !== effective) {
      throw new UnsupportedMediaTypeError({
        ...fields(repository, req.digest),
        mediaType: effective,
        reason: `the body of ${reference} declares ${body.mediaType}`,
      });
    }
    if (isDigest(reference)) {
      const actual = digestOf(bytes, reference);
      if (actual !== reference) {
        throw new DigestMismatchError({
          ...fields(repository, reference),
          expected: reference,
          actual,
          what: 'manifest',
        });
      }
    }
    const announced = header(res.headers, 'docker-content-digest');
    const digest =
      announced === undefined
        ? digestOf(bytes, isDigest(reference) ? reference : 'sha256:')
        : digestOf(bytes, announced);
    if (announced !== undefined && announced !== digest) {
      throw new DigestMismatchError({
        ...fields(repository, announced),
        expected: announced,
        actual: digest,
        what: `manifest ${reference} (Docker-Content-Digest)`,
      });
    }
    return { digest, mediaType: effective, size: bytes.length, bytes };
  }

  const client: ClosableRegistryClient = {
    host: registry,

    async headManifest(repository, reference, opts) {
      const req = pullRequest('HEAD', 'manifests', repository, reference, opts?.signal);
      const res = await send(req);
      if (res.status === 404) {
        await releaseResponse(res);
        return undefined;
      }
      if (res.status !== 200) return fail(res, req);
      await releaseResponse(res);
      const mediaType = mediaTypeOf(header(res.headers, 'content-type'));
      if (mediaType !== undefined) checkMediaType(mediaType, repository, reference, false);
      const digest =
        header(res.headers, 'docker-content-digest') ?? (isDigest(reference) ? reference : undefined);
      const size = contentLength(res);
      if (
        digest === undefined ||
        size === undefined ||
        mediaType === undefined ||
        mediaType === 'application/json'
      ) {
        // Old registries leave headers out of HEAD; a GET tells everything (and costs a pull).
        const m = await getManifest(repository, reference, opts);
        return { digest: m.digest, mediaType: m.mediaType, size: m.size } satisfies ManifestHead;
      }
      return { digest, mediaType, size };
    },

    getManifest,

    async putManifest(repository, reference, manifest, opts) {
      const digest = digestOf(manifest.bytes, isDigest(reference) ? reference : 'sha256:');
      if (isDigest(reference) && digest !== reference) {
        throw new DigestMismatchError({
          ...fields(repository, reference),
          expected: reference,
          actual: digest,
          what: 'manifest to push',
        });
      }
      checkMediaType(manifest.mediaType, repository, reference, false);
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
      const reported = header(res.headers, 'docker-content-digest');
      if (
        reported !== undefined &&
        reported.startsWith(digest.slice(0, digest.indexOf(':') + 1)) &&
        reported !== digest
      ) {
        throw new DigestMismatchError({
          ...fields(repository, digest),
          expected: digest,
          actual: reported,
          what: 'pushed manifest (registry report)',
        });
      }
      return reported ?? digest;
    },

    async headBlob(repository, digest, opts) {
      const req = pullRequest('HEAD', 'blobs', repository, digest, opts?.signal);
      const res = await send(req);
      if (res.status === 404) {
        await releaseResponse(res);
        return undefined;
      }
      if (res.status !== 200) return fail(res, req);
      await releaseResponse(res);
      const size = contentLength(res);
      if (size === undefined) {
        throw new ProtocolError(
          `registry ${registry} answered HEAD ${repository}@${digest} without Content-Length`,
          fields(repository, digest),
        );
      }
      return size;
    },

    async getBlob(repository, digest, opts): Promise<BlobReader> {
      const req = pullRequest('GET', 'blobs', repository, digest, opts?.signal);
      const res = await send(req);
      if (res.status !== 200) return fail(res, req);
      const size = contentLength(res) ?? -1;
      const body = guardBody(res.body, size, {
        ...fields(repository, digest),
        method: 'GET',
        url: res.url.toString(),
      });
      return { body, size };
    },

    ...uploads,

    async close() {
      if (ownedDispatcher !== undefined) await ownedDispatcher.close();
    },
  };

  return client;
}
