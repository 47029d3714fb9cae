// One request on the wire, nothing more: undici `request` (never fetch, which buffers uploads), the
// per-request hook, and translation of connection failures into typed errors. Also the single place a
// non-success response becomes a `RegistryError` (`responseError`), reading at most 64 KiB of body.
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import {
  InsecureRegistryError,
  NetworkError,
  NotFoundError,
  RegistryError,
  TlsError,
  TooManyRequestsError,
  UnauthorizedError,
  describeDistributionErrors,
  errorCodeOf,
  parseDistributionErrors,
  readCapped,
  redactUrl,
} from '../model/errors.ts';
import type { RequestHook } from './metrics.ts';
import { parseRetryAfter } from '../../common/retry-after.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface WireResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Must be consumed or destroyed, or the connection leaks. */
  readonly body: Readable & { dump(opts?: { limit: number }): Promise<void> };
  /** The URL that produced this response (after redirects). */
  readonly url: URL;
}

export interface WireOptions {
  readonly registry: string;
  readonly dispatcher: Dispatcher;
  readonly userAgent: string;
  readonly onRequest: RequestHook;
}

export interface WireRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | Readable | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type Wire = (req: WireRequest) => Promise<WireResponse>;

/** OpenSSL codes seen when an https client talks to a plain-HTTP server. */
const PLAIN_HTTP_ON_TLS_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
]);

/** Certificate verification failures: the operator needs `--registry-ca` (or a correct host name). */
const CERT_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** First value of a header. */
export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err as { name?: unknown } | null)?.name === 'AbortError';
}

/** Turns a connection failure into a typed error; aborts pass through untouched. */
export function wireError(
  err: unknown,
  context: {
    readonly registry: string;
    readonly repository?: string | undefined;
    readonly digest?: string | undefined;
  },
  method: string,
  url: URL,
  signal?: AbortSignal,
): unknown {
  if (isAbort(err, signal)) return err;
  if (err instanceof RegistryError) return err;
  const { registry, repository, digest } = context;
  const code = errorCodeOf(err);
  const where = `${method} ${redactUrl(url)}`;
  const fields = { registry, repository, digest, method, url: redactUrl(url), cause: err };
  if (code !== undefined && PLAIN_HTTP_ON_TLS_CODES.has(code)) {
    return new InsecureRegistryError(
      `registry ${registry} does not speak TLS at ${url.host} (${where}); plain HTTP is refused unless the ` +
        `registry is listed in --insecure-registries`,
      fields,
    );
  }
  if (code !== undefined && CERT_CODES.has(code)) {
    return new TlsError(
      `TLS certificate of registry ${registry} is not trusted (${code}) at ${where}; pass the CA that signed ` +
        `it with --registry-ca`,
      fields,
    );
  }
  const message = (err as { message?: unknown } | null)?.message;
  return new NetworkError(
    `${where} to registry ${registry} failed: ${code ?? 'error'}${typeof message === 'string' ? ` (${message})` : ''}`,
    { ...fields, errno: code },
  );
}

export function createWire(options: WireOptions): Wire {
  const { registry, dispatcher, userAgent, onRequest } = options;
  return async (req) => {
    const started = performance.now();
    try {
      const res = await request(req.url, {
        dispatcher,
        method: req.method,
        headers: { 'user-agent': userAgent, ...req.headers },
        body: req.body ?? null,
        signal: req.signal ?? null,
      });
      onRequest({
        host: req.url.host,
        method: req.method,
        status: res.statusCode,
        durationMs: performance.now() - started,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body, url: req.url };
    } catch (err) {
      onRequest({
        host: req.url.host,
        method: req.method,
        status: undefined,
        durationMs: performance.now() - started,
      });
      throw wireError(err, { registry }, req.method, req.url, req.signal);
    }
  };
}

export interface ErrorContext {
  readonly registry: string;
  readonly repository?: string | undefined;
  readonly digest?: string | undefined;
  /** What the caller was doing, e.g. "fetching manifest foo:1.0". */
  readonly action?: string | undefined;
  readonly scope?: string | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * The typed error for an unexpected response. Reads (at most 64 KiB of) the body and releases it.
 * 401/403 → UnauthorizedError, 404 → NotFoundError, 429 → TooManyRequestsError, others RegistryError
 * with `temporary` from the status and distribution-code tables.
 */
export async function responseError(
  res: WireResponse,
  method: string,
  ctx: ErrorContext,
): Promise<RegistryError> {
  const bytes = method === 'HEAD' ? Buffer.alloc(0) : await readCapped(res.body);
  if (method === 'HEAD') await res.body.dump().catch(() => undefined);
  const errors = parseDistributionErrors(bytes);
  const detail = describeDistributionErrors(errors);
  const url = redactUrl(res.url);
  const prefix =
    ctx.action === undefined ? `registry ${ctx.registry}` : `${ctx.action} (registry ${ctx.registry})`;
  const message = `${prefix}: ${method} ${url} answered ${res.status}${detail === '' ? '' : ` (${detail})`}`;
  const fields = {
    registry: ctx.registry,
    repository: ctx.repository,
    digest: ctx.digest,
    status: res.status,
    method,
    url,
    errors,
  };
  if (res.status === 401 || res.status === 403) {
    return new UnauthorizedError(ctx.scope === undefined ? message : `${message} for scope "${ctx.scope}"`, {
      ...fields,
      scope: ctx.scope,
    });
  }
  if (res.status === 404) return new NotFoundError(message, fields);
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], (ctx.now ?? Date.now)());
    return new TooManyRequestsError(message, { ...fields, retryAfterMs });
  }
  return new RegistryError(message, fields);
}
