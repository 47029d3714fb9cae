/**
 * Typed errors of the Kubernetes API layer. Every error has a stable `code`
 * and a `temporary` flag: retry and restart decisions read those fields, never
 * message text. Messages name the method and path, never credentials.
 */
import { LifeboatError } from '../common/errors.ts';

/** The kubeconfig could not be found or is unusable. Never temporary. */
export class KubeConfigError extends LifeboatError {
  readonly code = 'KUBE_CONFIG_INVALID';
  readonly temporary = false;
  /** The file or source the config came from (a path, "KUBECONFIG", "in-cluster"). */
  readonly source: string | undefined;

  constructor(message: string, opts: { source?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KubeConfigError';
    this.source = opts.source;
  }
}

/** The Kubernetes `Status` object the API server sends with an error, when it sent one. */
export interface KubeStatus {
  reason?: string;
  message?: string;
  code?: number;
}

/** The API server answered a request with a non-success HTTP status. */
export class KubeApiError extends LifeboatError {
  readonly code = 'KUBE_API_STATUS';
  readonly method: string;
  /** Request path without query (queries can carry selectors, never secrets, but keep logs short). */
  readonly path: string;
  readonly status: number;
  /** `Status.reason` from the body (e.g. `Expired`, `Conflict`, `NotFound`), when present. */
  readonly reason: string | undefined;
  /** 429 and 5xx (except 501) are worth retrying later; everything else needs a different request. */
  readonly temporary: boolean;

  constructor(opts: { method: string; path: string; status: number; body?: KubeStatus; cause?: unknown }) {
    const detail = opts.body?.message ? `: ${opts.body.message}` : '';
    super(
      `${opts.method} ${opts.path}: HTTP ${opts.status}${detail}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.name = 'KubeApiError';
    this.method = opts.method;
    this.path = opts.path;
    this.status = opts.status;
    this.reason = opts.body?.reason;
    this.temporary = isTemporaryKubeStatus(opts.status);
  }
}

/** A request failed below HTTP: connection refused or reset, TLS failure, timeout. */
export class KubeTransportError extends LifeboatError {
  readonly code = 'KUBE_TRANSPORT';
  readonly method: string;
  readonly path: string;
  /** The underlying error code (`ECONNRESET`, `UND_ERR_SOCKET`, `TimeoutError`, ...). */
  readonly transportCode: string;
  readonly temporary = true;

  constructor(opts: { method: string; path: string; transportCode: string; cause?: unknown }) {
    super(
      `${opts.method} ${opts.path}: ${opts.transportCode}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.name = 'KubeTransportError';
    this.method = opts.method;
    this.path = opts.path;
    this.transportCode = opts.transportCode;
  }
}

/**
 * A watch stream went wrong. `reason`:
 * - `gone`: the resourceVersion is too old (HTTP 410 or an ERROR event with code 410); relist.
 * - `error-event`: the server sent an ERROR event with another code.
 * - `parse`: a line of the stream was not a valid watch event.
 * - `inactive`: no bytes arrived within the client-side inactivity timeout.
 */
export class WatchError extends LifeboatError {
  readonly code = 'KUBE_WATCH';
  readonly reason: 'gone' | 'error-event' | 'parse' | 'inactive';
  readonly path: string;
  /** HTTP-like status from the ERROR event, when there was one. */
  readonly status: number | undefined;
  readonly temporary = true;

  constructor(opts: {
    reason: WatchError['reason'];
    path: string;
    message: string;
    status?: number;
    cause?: unknown;
  }) {
    super(
      `watch ${opts.path}: ${opts.message}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.name = 'WatchError';
    this.reason = opts.reason;
    this.path = opts.path;
    this.status = opts.status;
  }
}

/**
 * Whether a Kubernetes API server status is worth retrying: 429 (priority and fairness, max
 * in-flight) and 5xx except 501 Not Implemented. The API server answers every 5xx itself (etcd
 * timeouts, webhooks, restarts), so the range is the table. Registries sit behind CDNs and proxies
 * that answer with codes of their own (499, 522, 408), and have their own table:
 * `isTemporaryRegistryStatus` in src/registry/model/errors.ts.
 */
export function isTemporaryKubeStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** True when `err` says the watched resourceVersion is gone and only a relist helps. */
export function isGone(err: unknown): boolean {
  if (err instanceof WatchError) return err.reason === 'gone';
  if (err instanceof KubeApiError) return err.status === 410;
  return false;
}
