// The registry transport: auth(retry(redirect(wire))). One `send` per logical request:
//  - auth: the Authenticator supplies Authorization for the request's scopes and digests 401s (at most
//    two auth retries per request: learn the challenge, then refresh or widen the scope);
//  - retries: replayable requests (no body, or a Buffer body) are retried on retryable statuses and
//    broken connections with jittered backoff, honouring Retry-After up to a bound. A streamed body
//    is sent once: on failure the caller gets a `temporary` error and restarts the upload itself;
//  - redirects: followed by hand for GET/HEAD, and Authorization is only ever sent to the registry's
//    own origin, never to a redirect target (S3 and CDNs reject it, and it must not leak).
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import {
  InsecureRegistryError,
  ProtocolError,
  RETRYABLE_STATUSES,
  UnauthorizedError,
  isTemporary,
  redactUrl,
} from '../model/errors.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { TokenHttp } from '../auth/token.ts';
import { parseRetryAfter } from '../../common/retry-after.ts';
import type { Sleep } from '../../common/sleep.ts';
import { retryDelay, type RetryPolicy } from './retry.ts';
import { untilAborted } from '../model/until-aborted.ts';
import { responseError, type HttpMethod, type Wire, type WireResponse } from './wire.ts';

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Most bytes of a token response read (JWTs with many scopes run to a few KiB). */
const MAX_TOKEN_BODY_BYTES = 1024 * 1024;

export interface SendRequest {
  readonly method: HttpMethod;
  /** Absolute URL (an upload Location) or a path on the registry (`/v2/...`). */
  readonly url: string | URL;
  /** Token scopes the request needs. */
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  /** A Buffer is replayable (retried); a Readable is sent exactly once. */
  readonly body?: Buffer | Readable;
  /** Follow 3xx by hand (GET/HEAD only). */
  readonly followRedirects?: boolean;
  readonly signal?: AbortSignal | undefined;
  /** For error messages and fields. */
  readonly repository?: string | undefined;
  readonly digest?: string | undefined;
  readonly action?: string | undefined;
  /** Send once even with a replayable body (a PATCH the server may have applied, a best-effort DELETE). */
  readonly noRetry?: boolean | undefined;
}

export interface Transport {
  readonly registry: string;
  /** `https://host` or `http://host` for insecure registries. */
  readonly origin: string;
  /**
   * Sends with auth, retries and redirects. Resolves with the final response whatever its status,
   * except that 401s it cannot fix and retryable statuses left after the last attempt reject with
   * typed errors. The caller must consume or destroy the body.
   */
  send(request: SendRequest): Promise<WireResponse>;
}

export interface TransportOptions {
  readonly registry: string;
  readonly origin: string;
  readonly insecure: boolean;
  readonly wire: Wire;
  readonly authenticator: Authenticator;
  readonly retry: RetryPolicy;
  readonly maxRedirects: number;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: Sleep;
}

interface RetryContext {
  readonly registry: string;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: Sleep;
}

/**
 * Runs `attemptOnce` up to `attempts` times. A response with a retryable status is released and
 * retried (Retry-After honoured); a temporary error is retried; anything else is returned or thrown.
 * After the last attempt a retryable status becomes its typed error.
 */
async function withRetries(
  ctx: RetryContext,
  attempts: number,
  describe: {
    method: HttpMethod;
    repository?: string | undefined;
    digest?: string | undefined;
    action?: string | undefined;
  },
  signal: AbortSignal | undefined,
  attemptOnce: () => Promise<WireResponse>,
): Promise<WireResponse> {
  for (let attempt = 1; ; attempt++) {
    let res: WireResponse;
    try {
      res = await attemptOnce();
    } catch (err) {
      if (attempt >= attempts || signal?.aborted === true || !isTemporary(err)) throw err;
      const delay = retryDelay(attempt, ctx.retry, undefined, ctx.random);
      ctx.logger.debug(
        {
          registry: ctx.registry,
          method: describe.method,
          attempt,
          delayMs: delay,
          err: (err as Error).message,
        },
        'registry request failed; retrying',
      );
      await ctx.sleep(delay, signal);
      continue;
    }
    if (!RETRYABLE_STATUSES.has(res.status)) return res;
    if (attempt >= attempts) {
      throw await responseError(res, describe.method, {
        registry: ctx.registry,
        repository: describe.repository,
        digest: describe.digest,
        action: describe.action,
        now: ctx.now,
      });
    }
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], ctx.now());
    await res.body.dump().catch(() => undefined);
    const delay = retryDelay(attempt, ctx.retry, retryAfterMs, ctx.random);
    ctx.logger.debug(
      {
        registry: ctx.registry,
        method: describe.method,
        url: redactUrl(res.url),
        status: res.status,
        attempt,
        delayMs: delay,
      },
      'registry answered a retryable status; retrying',
    );
    await ctx.sleep(delay, signal);
  }
}

/** The token exchange over the same wire, retried like any idempotent request. */
export function createTokenHttp(
  ctx: RetryContext & { readonly wire: Wire; readonly insecure: boolean },
): TokenHttp {
  return async (req, signal) => {
    if (!ctx.insecure && new URL(req.url).protocol !== 'https:') {
      // Credentials would cross the network in clear text for a registry we reach over TLS.
      throw new InsecureRegistryError(
        `registry ${ctx.registry} sends clients to a plain-HTTP token realm (${redactUrl(req.url)}); refused ` +
          'unless the registry is listed in --insecure-registries',
        { registry: ctx.registry, url: redactUrl(req.url) },
      );
    }
    const res = await withRetries(ctx, ctx.retry.attempts, { method: req.method }, signal, () =>
      ctx.wire({ method: req.method, url: new URL(req.url), headers: req.headers, body: req.body, signal }),
    );
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_TOKEN_BODY_BYTES) {
        res.body.destroy();
        throw new ProtocolError(
          `token response from ${redactUrl(req.url)} exceeds ${MAX_TOKEN_BODY_BYTES} bytes`,
          {
            registry: ctx.registry,
            status: res.status,
          },
        );
      }
      chunks.push(chunk);
    }
    return { status: res.status, body: Buffer.concat(chunks) };
  };
}

export function createTransport(options: TransportOptions): Transport {
  const { registry, origin, insecure, wire, authenticator, maxRedirects } = options;
  const originUrl = new URL(origin);

  async function sendFollowingRedirects(
    req: SendRequest,
    authorization: string | undefined,
  ): Promise<WireResponse> {
    let url = new URL(req.url, originUrl);
    // Upload Locations come back from the registry as absolute URLs; one behind a TLS-terminating
    // proxy may name plain HTTP, and the layer bytes would follow it in clear text.
    if (url.protocol === 'http:' && originUrl.protocol === 'https:' && !insecure) {
      throw new InsecureRegistryError(
        `registry ${registry} sent ${req.method} to plain HTTP (${redactUrl(url)}); refused unless the ` +
          'registry is listed in --insecure-registries',
        { registry, repository: req.repository, digest: req.digest },
      );
    }
    const follow = req.followRedirects === true && (req.method === 'GET' || req.method === 'HEAD');
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...req.headers };
      // Authorization goes to the registry's own origin only; redirect targets get none.
      if (authorization !== undefined && url.origin === originUrl.origin)
        headers['authorization'] = authorization;
      const res = await wire({ method: req.method, url, headers, body: req.body, signal: req.signal });
      const location = res.headers['location'];
      if (!follow || !REDIRECT_STATUSES.has(res.status) || typeof location !== 'string') return res;
      await res.body.dump().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new ProtocolError(
          `registry ${registry}: more than ${maxRedirects} redirects from ${redactUrl(req.url instanceof URL ? req.url : new URL(req.url, originUrl))}`,
          {
            registry,
            repository: req.repository,
            digest: req.digest,
            status: res.status,
          },
        );
      }
      const next = new URL(location, url);
      if (next.protocol === 'http:' && url.protocol === 'https:' && !insecure) {
        throw new InsecureRegistryError(
          `registry ${registry} redirected ${req.method} ${redactUrl(url)} to plain HTTP (${redactUrl(next)}); ` +
            'refused unless the registry is listed in --insecure-registries',
          { registry, repository: req.repository, digest: req.digest, status: res.status },
        );
      }
      url = next;
    }
  }

  // The registry's first answer tells whether and how it wants auth. Until it arrives, other requests
  // wait for it, so a burst on a fresh client costs one 401, not one per request.
  let firstAnswer: Promise<void> | undefined;

  async function sendAuthorized(req: SendRequest, replayable: boolean): Promise<WireResponse> {
    let learnt: (() => void) | undefined;
    if (firstAnswer === undefined) firstAnswer = new Promise<void>((resolve) => (learnt = resolve));
    else await untilAborted(firstAnswer, req.signal);
    try {
      return await sendAuthorizedOnce(req, replayable, () => learnt?.());
    } finally {
      learnt?.();
    }
  }

  async function sendAuthorizedOnce(
    req: SendRequest,
    replayable: boolean,
    learnt: () => void,
  ): Promise<WireResponse> {
    let scopes = req.scopes;
    for (let authRetry = 0; ; authRetry++) {
      const authorization = await authenticator.authorize(scopes, req.signal);
      const res = await sendFollowingRedirects(req, authorization);
      // A 401 from a redirect target is that target's business, not our registry's challenge.
      if (res.status !== 401 || res.url.origin !== originUrl.origin) {
        learnt();
        return res;
      }
      const decision = authenticator.challenged(res.headers['www-authenticate'], scopes, authorization);
      learnt();
      await res.body.dump().catch(() => undefined);
      if (!decision.retry) throw decision.error;
      if (authRetry >= 2 || !replayable) {
        // The authenticator has learnt what it needed: a restarted upload will go through.
        throw new UnauthorizedError(
          `registry ${registry} answered 401 to ${req.method} ${redactUrl(res.url)} for scope "${decision.scopes.join(' ')}"` +
            (replayable ? '' : '; the request had a streamed body and must be restarted'),
          {
            registry,
            repository: req.repository,
            digest: req.digest,
            status: 401,
            scope: decision.scopes.join(' '),
            temporary: !replayable,
          },
        );
      }
      scopes = decision.scopes;
    }
  }

  return {
    registry,
    origin,
    send(req) {
      const replayable = req.body === undefined || Buffer.isBuffer(req.body);
      return withRetries(
        options,
        replayable && req.noRetry !== true ? options.retry.attempts : 1,
        { method: req.method, repository: req.repository, digest: req.digest, action: req.action },
        req.signal,
        () => sendAuthorized(req, replayable),
      );
    },
  };
}
