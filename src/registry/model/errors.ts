// Typed registry errors. Every failure that leaves the registry client is a `RegistryError` with a
// stable `code`, the registry/repository/digest it concerns, the HTTP status when there was one, and a
// `temporary` flag that callers use to decide whether to retry. Retryability is decided from the tables
// below (status codes, socket error codes, distribution error codes), never from message text.
// Messages never contain credentials: URLs are redacted before they are put in a message.
import type { Readable } from 'node:stream';
import { LifeboatError } from '../../common/errors.ts';

/** Statuses worth retrying: the server or something in front of it may answer differently later. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 499, 500, 502, 503, 504, 522]);

/** Socket/undici error codes that mean the connection broke, not that the request was wrong. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Distribution-spec error codes (from the JSON body) that are transient by definition. */
export const RETRYABLE_DISTRIBUTION_CODES: ReadonlySet<string> = new Set(['TOOMANYREQUESTS', 'UNAVAILABLE']);

/** The stable codes a `RegistryError` can carry. */
export type RegistryErrorCode =
  | 'REGISTRY_HTTP_ERROR'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_TOO_MANY_REQUESTS'
  | 'REGISTRY_MANIFEST_TOO_LARGE'
  | 'REGISTRY_DIGEST_MISMATCH'
  | 'REGISTRY_UNSUPPORTED_MEDIA_TYPE'
  | 'REGISTRY_INSECURE'
  | 'REGISTRY_TLS'
  | 'REGISTRY_NETWORK'
  | 'REGISTRY_PROTOCOL';

/** One entry of a distribution error body: `{"errors":[{code,message,detail}]}`. */
export interface DistributionError {
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

export interface RegistryErrorFields {
  readonly registry: string;
  readonly repository?: string | undefined;
  readonly digest?: string | undefined;
  readonly status?: number | undefined;
  readonly method?: string | undefined;
  /** Redacted URL of the request that failed. */
  readonly url?: string | undefined;
  readonly temporary?: boolean | undefined;
  readonly errors?: readonly DistributionError[] | undefined;
  readonly cause?: unknown;
}

export class RegistryError extends LifeboatError {
  readonly code: RegistryErrorCode;
  readonly registry: string;
  readonly repository: string | undefined;
  readonly digest: string | undefined;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  /** True when the same request may succeed later (retry with backoff). */
  readonly temporary: boolean;
  /** Distribution error entries found in the response body, if any. */
  readonly errors: readonly DistributionError[];

  constructor(message: string, fields: RegistryErrorFields, code: RegistryErrorCode = 'REGISTRY_HTTP_ERROR') {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.registry = fields.registry;
    this.repository = fields.repository;
    this.digest = fields.digest;
    this.status = fields.status;
    this.method = fields.method;
    this.url = fields.url;
    this.errors = fields.errors ?? [];
    this.temporary = fields.temporary ?? isTemporaryRegistryStatus(fields.status, this.errors);
  }
}

export class NotFoundError extends RegistryError {
  constructor(message: string, fields: RegistryErrorFields) {
    super(message, { ...fields, temporary: false }, 'REGISTRY_NOT_FOUND');
    this.name = 'NotFoundError';
  }
}

/** 401/403, or a token server refusing. Names the registry and scope, never the secret. */
export class UnauthorizedError extends RegistryError {
  readonly scope: string | undefined;
  constructor(message: string, fields: RegistryErrorFields & { readonly scope?: string | undefined }) {
    super(message, { ...fields, temporary: fields.temporary ?? false }, 'REGISTRY_UNAUTHORIZED');
    this.name = 'UnauthorizedError';
    this.scope = fields.scope;
  }
}

export class TooManyRequestsError extends RegistryError {
  /** What the registry asked for in Retry-After, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, fields: RegistryErrorFields & { readonly retryAfterMs?: number | undefined }) {
    super(message, { ...fields, temporary: true }, 'REGISTRY_TOO_MANY_REQUESTS');
    this.name = 'TooManyRequestsError';
    this.retryAfterMs = fields.retryAfterMs;
  }
}

export class ManifestTooLargeError extends RegistryError {
  readonly limit: number;
  constructor(fields: RegistryErrorFields & { readonly limit: number; readonly reference: string }) {
    super(
      `manifest ${fields.registry}/${fields.repository ?? ''}:${fields.reference} is larger than ${fields.limit} bytes; refusing it`,
      { ...fields, temporary: false },
      'REGISTRY_MANIFEST_TOO_LARGE',
    );
    this.name = 'ManifestTooLargeError';
    this.limit = fields.limit;
  }
}

export class DigestMismatchError extends RegistryError {
  readonly expected: string;
  readonly actual: string;
  constructor(
    fields: RegistryErrorFields & {
      readonly expected: string;
      readonly actual: string;
      readonly what: string;
    },
  ) {
    super(
      `${fields.what} from ${fields.registry}/${fields.repository ?? ''}: expected digest ${fields.expected}, got ${fields.actual}`,
      { ...fields, digest: fields.digest ?? fields.expected, temporary: false },
      'REGISTRY_DIGEST_MISMATCH',
    );
    this.name = 'DigestMismatchError';
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

export class UnsupportedMediaTypeError extends RegistryError {
  readonly mediaType: string;
  constructor(fields: RegistryErrorFields & { readonly mediaType: string; readonly reason?: string }) {
    super(
      `unsupported media type ${JSON.stringify(fields.mediaType)} for ${fields.registry}/${fields.repository ?? ''}` +
        (fields.reason === undefined ? '' : `: ${fields.reason}`),
      { ...fields, temporary: false },
      'REGISTRY_UNSUPPORTED_MEDIA_TYPE',
    );
    this.name = 'UnsupportedMediaTypeError';
    this.mediaType = fields.mediaType;
  }
}

/** Plain HTTP was needed (or offered by a redirect) for a registry not listed as insecure. */
export class InsecureRegistryError extends RegistryError {
  constructor(message: string, fields: RegistryErrorFields) {
    super(message, { ...fields, temporary: false }, 'REGISTRY_INSECURE');
    this.name = 'InsecureRegistryError';
  }
}

/** The TLS handshake failed (untrusted certificate, wrong host name). */
export class TlsError extends RegistryError {
  constructor(message: string, fields: RegistryErrorFields) {
    super(message, { ...fields, temporary: false }, 'REGISTRY_TLS');
    this.name = 'TlsError';
  }
}

/** The connection failed or broke mid-way; `temporary` follows the error-code table. */
export class NetworkError extends RegistryError {
  readonly errno: string | undefined;
  constructor(message: string, fields: RegistryErrorFields & { readonly errno?: string | undefined }) {
    super(
      message,
      { ...fields, temporary: fields.temporary ?? isTemporaryErrorCode(fields.errno) },
      'REGISTRY_NETWORK',
    );
    this.name = 'NetworkError';
    this.errno = fields.errno;
  }
}

/** The registry answered something the protocol does not allow (missing Location, wrong size). */
export class ProtocolError extends RegistryError {
  constructor(message: string, fields: RegistryErrorFields) {
    super(message, { ...fields, temporary: fields.temporary ?? false }, 'REGISTRY_PROTOCOL');
    this.name = 'ProtocolError';
  }
}

/**
 * Whether a registry's answer is worth retrying, from the status and the distribution error codes of
 * its body. Not the Kubernetes table (`isTemporaryKubeStatus`, any 5xx but 501): registries sit behind
 * CDNs, load balancers and proxies that add 408, 499 and 522, and a registry's other 5xx (505, 507,
 * 511) repeat on every try. The status table is go-containerregistry's `defaultRetryStatusCodes`
 * plus 429.
 */
export function isTemporaryRegistryStatus(
  status: number | undefined,
  errors: readonly DistributionError[] = [],
): boolean {
  if (status !== undefined && RETRYABLE_STATUSES.has(status)) return true;
  return errors.some((e) => RETRYABLE_DISTRIBUTION_CODES.has(e.code));
}

export function isTemporaryErrorCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_ERROR_CODES.has(code);
}

/** Whether retrying may help: registry errors say so; raw socket errors are classified by code. */
export function isTemporary(err: unknown): boolean {
  if (err instanceof RegistryError) return err.temporary;
  return isTemporaryErrorCode(errorCodeOf(err));
}

/**
 * The `code` of a Node/undici error. undici wraps socket errors (`UND_ERR_SOCKET` with an `ECONNRESET`
 * cause), so the chain is walked and a retryable code anywhere in it wins over the outer code.
 */
export function errorCodeOf(err: unknown): string | undefined {
  let first: string | undefined;
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (RETRYABLE_ERROR_CODES.has(code)) return code;
      first ??= code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return first;
}

/** Query parameters whose values are safe to show (never credentials or upload state). */
const SAFE_QUERY_KEYS: ReadonlySet<string> = new Set([
  'digest',
  'mount',
  'from',
  'scope',
  'service',
  'n',
  'last',
]);

/**
 * A URL fit for messages and logs: no userinfo, and query values other than a few known-safe ones
 * replaced by REDACTED (upload locations and presigned redirects carry bearer-like secrets).
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return String(url).replace(/\?.*$/, '?REDACTED');
  }
  u.username = '';
  u.password = '';
  const params = new URLSearchParams();
  for (const [k, v] of u.searchParams) params.append(k, SAFE_QUERY_KEYS.has(k) ? v : 'REDACTED');
  u.search = params.toString();
  return u.toString();
}

/** Most bytes of an error body we read; bodies beyond that are dropped (a proxy may send HTML pages). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reads at most `limit` bytes of `body` and destroys the rest, so the connection is released. */
export async function readCapped(body: Readable, limit: number = MAX_ERROR_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = limit - total;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        total = limit;
        break;
      }
      chunks.push(chunk);
      total += chunk.length;
    }
  } catch {
    // A broken error body must not hide the status that came with it.
  } finally {
    if (!body.readableEnded) body.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** Parses a distribution error body; anything that is not one gives an empty list. */
export function parseDistributionErrors(bytes: Buffer): DistributionError[] {
  if (bytes.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return [];
  }
  const list = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return [];
  const out: DistributionError[] = [];
  for (const e of list as unknown[]) {
    if (e === null || typeof e !== 'object') continue;
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== 'string') continue;
    out.push({ code, message: typeof message === 'string' ? message : '', detail });
  }
  return out;
}

/** "UNKNOWN: message; DENIED: message", or '' when the body had no entries. */
export function describeDistributionErrors(errors: readonly DistributionError[]): string {
  return errors.map((e) => (e.message === '' ? e.code : `${e.code}: ${e.message}`)).join('; ');
}
