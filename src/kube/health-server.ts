import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { LifeboatError } from '../common/errors.ts';

/**
 * The probe and scrape endpoint on `--metrics-addr`:
 *
 * - `GET /healthz` → 200 `ok` while the process serves HTTP at all (liveness).
 * - `GET /readyz` → 200 when every ready check passes, else 503; the body lists each check as
 *   `[+]name ok` or `[-]name failed`, like the kube-apiserver's verbose readyz. A check that
 *   throws, rejects or takes longer than `checkTimeoutMs` fails.
 * - `GET /metrics` → the registry in Prometheus text format with the registry's content type.
 * - Anything else → 404; other methods on those paths → 405.
 */
export interface HealthServer {
  /** The bound `host:port` (IPv6 in brackets), with the real port when 0 was asked for. */
  readonly address: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

export type ReadyCheck = () => boolean | Promise<boolean>;

export interface HealthServerOptions {
  /** `host:port`, `[v6]:port` or `:port` (all interfaces). Port 0 picks a free port. */
  address: string;
  registry: Registry;
  /** Named checks for `/readyz`, e.g. `{ informers: () => synced }`. */
  readyChecks?: Record<string, ReadyCheck>;
  logger?: Logger;
  checkTimeoutMs?: number;
}

/** Thrown when the listen address cannot be parsed or bound. */
export class HealthServerListenError extends LifeboatError {
  readonly code = 'HEALTH_SERVER_LISTEN';
  /**
   * A bad address stays bad, and a port in use is not freed by trying again in-process: the
   * command fails and the pod restarts (by then the old holder of the port is usually gone).
   */
  readonly temporary = false;
  readonly address: string;
  constructor(address: string, reason: string, options?: ErrorOptions) {
    super(`cannot serve health and metrics on ${JSON.stringify(address)}: ${reason}`, options);
    this.name = 'HealthServerListenError';
    this.address = address;
  }
}

const DEFAULTS = {
  /** Answer within the kubelet's default probe timeout of 1 s, even when a check hangs. */
  checkTimeoutMs: 900,
} as const;

/** Splits `host:port`; an empty host means every interface. */
function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || !(port <= 65535)) {
    throw new HealthServerListenError(address, 'expected host:port, [ipv6]:port or :port');
  }
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

async function runCheck(check: ReadyCheck, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return (await Promise.race([Promise.resolve().then(check), timeout])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const TEXT = 'text/plain; charset=utf-8';

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { registry } = options;
  const readyChecks = Object.entries(options.readyChecks ?? {});
  const checkTimeoutMs = options.checkTimeoutMs ?? DEFAULTS.checkTimeoutMs;
  const logger = options.logger ?? pino({ level: 'silent' });
  const { host, port } = parseAddress(options.address);

  async function readyz(res: ServerResponse): Promise<void> {
    const results = await Promise.all(
      readyChecks.map(async ([name, check]) => [name, await runCheck(check, checkTimeoutMs)] as const),
    );
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    const lines = results.map(([name, ok]) => `[${ok ? '+' : '-'}]${name} ${ok ? 'ok' : 'failed'}`);
    lines.push(failing.length === 0 ? 'readyz check passed' : 'readyz check failed');
    if (failing.length > 0) logger.debug({ failing }, 'not ready');
    send(res, failing.length === 0 ? 200 : 503, TEXT, lines.join('\n') + '\n');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://health').pathname;
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') {
      return send(res, 404, TEXT, 'not found\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, TEXT, 'method not allowed\n');
    }
    if (path === '/healthz') return send(res, 200, TEXT, 'ok\n');
    if (path === '/readyz') return readyz(res);
    send(res, 200, registry.contentType, await registry.metrics());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, 'health server request failed');
      if (!res.headersSent) send(res, 500, TEXT, 'internal error\n');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(new HealthServerListenError(options.address, err.message, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'health server error'));

  const bound = server.address() as AddressInfo;
  const address =
    bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  logger.info({ address }, 'serving /healthz, /readyz and /metrics');

  return {
    address,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
