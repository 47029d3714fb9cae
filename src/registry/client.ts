// `createRegistryClient`: the RegistryClient of types.ts over the transport (auth, retries, redirects,
// TLS); this file only wires. The calls live beside it, one idea a file: client/manifests.ts,
// client/blobs.ts (reads), transport/blob-upload.ts (uploads, mounts) and client/upload-restarts.ts. Every call names registry,
// repository and digest in its errors; `close()` destroys the connection pool (unless the caller
// supplied the dispatcher).
import pino, { type Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createAuthenticator } from './auth/authenticator.ts';
import { ANONYMOUS, type Credentials, type Keychain } from './auth/credentials.ts';
import { createBlobReads } from './client/blobs.ts';
import { createManifestCalls } from './client/manifests.ts';
import { createUploadRestartWait } from './client/upload-restarts.ts';
import { createRegistryAgent } from './transport/agent.ts';
import { createBlobUploads } from './transport/blob-upload.ts';
import type { RequestHook } from './transport/metrics.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport/retry.ts';
import { requestFailure } from './transport/outcome.ts';
import { registryOrigin } from './transport/scheme.ts';
import { sleep as abortableSleep } from '../common/sleep.ts';
import { createTokenHttp, createTransport, type SendRequest } from './transport/transport.ts';
import { createWire, type WireResponse } from './transport/wire.ts';
import type { ClosableRegistryClient } from './model/types.ts';

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
export type { ClosableRegistryClient } from './model/types.ts';

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
  const calls = { registry, send, fail: requestFailure(registry, now) };
  return {
    host: registry,
    ...createManifestCalls({ ...calls, maxManifestBytes: DEFAULTS.maxManifestBytes }),
    ...createBlobReads(calls),
    ...createBlobUploads({ registry, send, logger, now, chunkSize: DEFAULTS.chunkSize }),
    waitToRestartUpload: createUploadRestartWait({ random, sleep }),
    async close() {
      if (ownedDispatcher !== undefined) await ownedDispatcher.close();
    },
  };
}
