/**
 * The one place that sends HTTP to the Kubernetes API server.
 *
 * client-node 2.x supplies the kubeconfig (and its auth refresh: token files, exec plugins), but its
 * generated classes send every call through `undici.fetch` with a brand-new `undici.Agent` (a TLS
 * handshake per call), with no rate limit, no timeout and no retries, and turn MicroTime into
 * millisecond `Date`s the API server rejects. So lifeboat speaks plain JSON here, and every request
 * — typed resource calls (resource-client.ts), informers, leases, events — takes ONE send path:
 * - ONE shared undici Agent (keep-alive; one TLS connection serves many calls);
 * - one token bucket (`qps`/`burst`) for the whole client, unless the call opts out (lease renewals);
 * - headers in one precedence: the caller's, then auth, then our user agent (auth and user agent
 *   cannot be overridden by accident);
 * - a per-attempt timeout (`AbortSignal.timeout`) for everything but watches;
 * - `requestJson` retries with jittered backoff on 429 (honouring Retry-After) and 5xx/transport
 *   errors for idempotent verbs (rules in `api-client-retry.ts`); `request` is one attempt (watches).
 */
import type { Readable } from 'node:stream';
import { bufferFromFileOrString } from '@kubernetes/client-node/dist/config.js';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Agent, request as undiciRequest } from 'undici';
import { sleep } from '../common/sleep.ts';
import { createTokenBucket } from '../common/token-bucket.ts';
import { KubeApiError, KubeConfigError, KubeTransportError } from './api-client-errors.ts';
import type { KubeStatus } from './api-client-errors.ts';
import { DEFAULT_RETRY, decideRetry } from './api-client-retry.ts';
import type { RetryOptions } from './api-client-retry.ts';

export interface KubeApiOptions {
  kubeConfig: KubeConfig;
  /** Sustained requests per second for the whole client; 0 disables the limit. */
  qps?: number;
  burst?: number;
  /** Per-attempt timeout of non-watch calls. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Allow HTTP/2 (many watches share one connection). */
  http2?: boolean;
  userAgent?: string;
  logger?: Logger;
}

export const KUBE_API_DEFAULTS = Object.freeze({
  // client-go's 5/10 starves a controller that lists thousands of objects. 100/200, what the
  // benchmark's controller-manager runs with: at 50/100 lifeboat's own token bucket paced the
  // 1,000-workload run (2.4 requests per workload: first rewrite at 11 s, converged at 1.23× the
  // bare rollout); at 100/200 first rewrite at 3 s, 1.04× (docs/benchmarks.md). The API server's
  // priority and fairness still has the last word.
  qps: 100,
  burst: 200,
  // client-go has no default timeout; 30 s bounds a hung call well below a renew deadline × 3.
  timeoutMs: 30_000,
  http2: true,
  userAgent: 'lifeboat',
});

/** How long `close()` lets in-flight requests finish before it destroys them. */
const CLOSE_GRACE_MS = 2_000;

export type QueryValue = string | number | boolean | undefined;

export interface RawRequestOptions {
  method?: string;
  /** Absolute API path, e.g. `/api/v1/namespaces/ns/configmaps`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialized as JSON unless it is already a string. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-attempt timeout; `false` for streams (watches) that legitimately stay open. */
  timeoutMs?: number | false;
  /** Leader-election renewals bypass the shared bucket so a busy controller cannot starve them. */
  rateLimited?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or destroyed by the caller, or the connection leaks. */
  body: Readable & { text(): Promise<string>; dump(): Promise<void> };
}

/** The narrow surface informers and leader election depend on (tests can wrap it to inject faults). */
export interface KubeRequester {
  /** One attempt, no status check, no retry: for watch streams. */
  request(req: RawRequestOptions): Promise<RawResponse>;
  /** Retried per the client's policy; resolves the parsed JSON body of a 2xx, throws `KubeApiError` otherwise. */
  requestJson<T = unknown>(req: RawRequestOptions & { retry?: boolean }): Promise<T>;
}

export interface KubeApi extends KubeRequester {
  readonly server: string;
  /** The shared agent every call goes through (exposed for connection diagnostics). */
  readonly agent: Agent;
  /** Closes the shared agent: in-flight requests may finish for a moment, then they are destroyed. */
  close(): Promise<void>;
}

export function createKubeApi(options: KubeApiOptions): KubeApi {
  const o = { ...KUBE_API_DEFAULTS, ...stripUndefined(options) };
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const logger = options.logger ?? pino({ level: 'silent' });
  const kc = options.kubeConfig;
  const cluster = kc.getCurrentCluster();
  if (cluster === null || !cluster.server)
    throw new TypeError('kubeConfig has no current cluster with a server');
  const server = cluster.server.replace(/\/+$/, '');
  const agent = new Agent({ connect: tlsOptions(kc), allowH2: o.http2, keepAliveTimeout: 30_000 });
  const limiter = createTokenBucket({ qps: o.qps, burst: o.burst });
  const authHeaders = makeAuthHeaders(kc);

  /** The one send path: one attempt of `req`, rate-limited, authenticated, with its timeout. */
  async function send(req: RawRequestOptions, accept?: string): Promise<RawResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (req.rateLimited !== false) await limiter.wait(req.signal);
    const headers: Record<string, string> = {};
    if (accept) headers.accept = accept;
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    Object.assign(headers, await authHeaders());
    headers['user-agent'] = o.userAgent;
    const body = encodeBody(req, headers);
    const timeoutMs = req.timeoutMs === undefined ? o.timeoutMs : req.timeoutMs;
    try {
      const res = await undiciRequest(buildUrl(server, req.path, req.query), {
        method,
        headers,
        body,
        signal: combineSignals(req.signal, timeoutMs),
        dispatcher: agent,
        // Streams: our own inactivity timer decides; undici's 300 s default would race it.
        bodyTimeout: timeoutMs === false ? 0 : timeoutMs,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw new KubeTransportError({ method, path: req.path, transportCode: transportCode(err), cause: err });
    }
  }

  async function requestJson<T>(req: RawRequestOptions & { retry?: boolean }): Promise<T> {
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = req.body === undefined ? undefined : (req.contentType ?? 'application/json');
    for (let attempt = 0; ; attempt++) {
      let status: number | undefined;
      let retryAfter: string | undefined;
      let text = '';
      let failure: KubeTransportError | undefined;
      try {
        const res = await send(req, 'application/json');
        status = res.status;
        retryAfter = headerValue(res.headers, 'retry-after');
        text = await res.body.text().catch((err: unknown) => {
          if (req.signal?.aborted) throw req.signal.reason;
          throw new KubeTransportError({
            method,
            path: req.path,
            transportCode: transportCode(err),
            cause: err,
          });
        });
      } catch (err) {
        if (!(err instanceof KubeTransportError)) throw err;
        failure = err;
      }
      const ok = status !== undefined && status >= 200 && status <= 299;
      const d =
        ok || req.retry === false
          ? { retry: false as const }
          : decideRetry(
              { method, contentType, attempt, status, retryAfter, transportCode: failure?.transportCode },
              retry,
              Date.now(),
            );
      if (!d.retry) {
        if (failure) throw failure;
        if (!ok) throw new KubeApiError({ method, path: req.path, status: status!, body: parseStatus(text) });
        return (text === '' ? undefined : JSON.parse(text)) as T;
      }
      logger.debug(
        { method, path: req.path, status, code: failure?.transportCode, attempt, delayMs: d.delayMs },
        'retrying Kubernetes API call',
      );
      await sleep(d.delayMs, req.signal);
    }
  }

  return {
    server,
    agent,
    request: (req) => send(req),
    requestJson,
    async close() {
      // Gracefully first: destroying an HTTP/2 session under a stream that is still closing (a
      // watch just aborted by its informer) makes undici emit an unhandled 'error' on that stream,
      // which ends the process with exit 1 in the middle of a clean shutdown.
      const closed = agent.close().then(() => true);
      if (!(await Promise.race([closed, sleep(CLOSE_GRACE_MS).then(() => false)]))) await agent.destroy();
    },
  };
}

/** TLS material for the shared agent, read once from the kubeconfig (files or inline data). */
function tlsOptions(kc: KubeConfig): Record<string, unknown> {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const out: Record<string, unknown> = { keepAlive: true, keepAliveInitialDelay: 30_000 };
  const ca = bufferFromFileOrString(cluster?.caFile, cluster?.caData);
  if (ca) out.ca = ca;
  const cert = bufferFromFileOrString(user?.certFile, user?.certData);
  if (cert) out.cert = cert;
  const key = bufferFromFileOrString(user?.keyFile, user?.keyData);
  if (key) out.key = key;
  if (cluster?.skipTLSVerify) out.rejectUnauthorized = false;
  if (cluster?.tlsServerName) out.servername = cluster.tlsServerName;
  return out;
}

/**
 * Per-request auth headers. Tokens, token files (rotated service-account tokens), exec plugins,
 * basic auth and impersonation go through client-node's `applyToHTTPSOptions`, which refreshes
 * them; a user who authenticates with a client certificate alone needs no headers and skips the
 * file reads. The shared agent's TLS identity is fixed at start, so an exec plugin that answers
 * with a client certificate instead of a token is refused with a clear error rather than sending
 * every call unauthenticated.
 */
function makeAuthHeaders(kc: KubeConfig): () => Promise<Record<string, string>> {
  const user = kc.getCurrentUser();
  if (!user || !(user.token || user.authProvider || user.exec || user.username || user.impersonateUser)) {
    return () => Promise.resolve({});
  }
  return async () => {
    const opts: { headers?: Record<string, unknown>; auth?: string; cert?: unknown; key?: unknown } = {};
    await kc.applyToHTTPSOptions(opts);
    if (user.exec && !user.certData && !user.certFile && (opts.cert || opts.key)) {
      throw new KubeConfigError(
        `the exec credential plugin of kubeconfig user "${user.name}" returned a client certificate; ` +
          'lifeboat supports exec plugins that return a token',
        { source: 'exec' },
      );
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === 'string' || typeof v === 'number') headers[k.toLowerCase()] = String(v);
    }
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return headers;
  };
}

function encodeBody(req: RawRequestOptions, headers: Record<string, string>): string | undefined {
  if (req.body === undefined) return undefined;
  headers['content-type'] = req.contentType ?? 'application/json';
  return typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
}

export function buildUrl(server: string, path: string, query?: Record<string, QueryValue>): string {
  const url = new URL(server + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  return url.toString();
}

function combineSignals(signal: AbortSignal | undefined, timeoutMs: number | false): AbortSignal | undefined {
  if (timeoutMs === false) return signal;
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function transportCode(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return err.name;
  }
  return 'UNKNOWN';
}

function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status') return v;
  } catch {
    // Not JSON (a proxy's error page): the status code alone describes the failure.
  }
  return undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
