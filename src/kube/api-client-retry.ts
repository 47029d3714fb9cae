import { backoffDelay } from '../common/backoff.ts';
import { parseRetryAfter } from '../common/retry-after.ts';
import { isTemporaryKubeStatus } from './api-client-errors.ts';

/**
 * When a Kubernetes API call is retried. The rules, in the order they apply:
 * - never after `maxRetries` retries, and never once the caller's signal has aborted;
 * - HTTP 429: any verb. The API server (APF, max-in-flight) refused the request before acting on it.
 *   Wait `Retry-After` when sent (capped at `maxRetryAfterMs`), else the backoff delay;
 * - HTTP 5xx except 501: idempotent verbs only (GET, HEAD, OPTIONS, PUT, DELETE, and server-side
 *   apply PATCH): a POST or merge PATCH may have been applied before the error;
 * - a connection that was never made (refused, connect timeout): any verb, nothing was sent;
 * - any other transport failure (reset, socket closed, our own timeout): idempotent verbs only;
 * - everything else (4xx, success): no retry.
 */
export interface RetryOptions {
  maxRetries: number;
  initialMs: number;
  maxMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  // Three retries over ~2-4 s rides out an API server restart or a brief overload without holding a
  // worker for long; longer outages are the caller's backoff (workqueue, informer restart).
  maxRetries: 3,
  initialMs: 250,
  maxMs: 5_000,
  // client-go caps Retry-After waits implicitly by its request timeout; 30 s keeps a worker responsive.
  maxRetryAfterMs: 30_000,
  random: Math.random,
});

export interface RetryInput {
  method: string;
  /** Content-Type of the request, to tell server-side apply (idempotent) from other PATCHes. */
  contentType?: string | undefined;
  /** Retries already made (0 before the first retry). */
  attempt: number;
  /** HTTP status, when a response arrived. */
  status?: number | undefined;
  /** Retry-After header value, when a response carried one. */
  retryAfter?: string | undefined;
  /** Error code when no response arrived (`ECONNREFUSED`, `UND_ERR_SOCKET`, `TimeoutError`, ...). */
  transportCode?: string | undefined;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Failures where the request certainly never reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

export function isIdempotent(method: string, contentType?: string): boolean {
  const m = method.toUpperCase();
  if (IDEMPOTENT.has(m)) return true;
  return m === 'PATCH' && (contentType ?? '').startsWith('application/apply-patch');
}

/**
 * Pure: decides from the outcome of one attempt whether and when to try again. A 429 is retried for
 * every verb, POST included: the API server's priority and fairness refuses before it acts, and
 * client-go retries any verb that was answered with Retry-After. 5xx and transport failures after
 * the request was sent are retried only for idempotent calls, which cannot be applied twice.
 */
export function decideRetry(input: RetryInput, o: RetryOptions, now: number): RetryDecision {
  if (input.attempt >= o.maxRetries) return { retry: false };
  const idempotent = isIdempotent(input.method, input.contentType);
  const backoff = (): number => backoffDelay(input.attempt, { ...o, factor: 2, jitter: 1 });
  if (input.status !== undefined) {
    // A 429 was refused before the server acted; another temporary status may have been applied.
    if (!isTemporaryKubeStatus(input.status) || (input.status !== 429 && !idempotent))
      return { retry: false };
    const after = parseRetryAfter(input.retryAfter, now);
    return { retry: true, delayMs: after === undefined ? backoff() : Math.min(after, o.maxRetryAfterMs) };
  }
  if (input.transportCode === undefined) return { retry: false };
  if (NOT_SENT.has(input.transportCode) || idempotent) return { retry: true, delayMs: backoff() };
  return { retry: false };
}
