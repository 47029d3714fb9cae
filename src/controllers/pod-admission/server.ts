// The HTTPS endpoint the API server calls on Pod CREATE (`POST /mutate-pods`, AdmissionReview v1).
// Every replica serves it, leader or not: answers come from the shared informer caches.
//
// - A review that cannot be read → 400 with the reason as text (the API server logs it and, with
//   failurePolicy Ignore, admits the Pod unchanged).
// - A Pod that cannot be decoded → 200, allowed unchanged, with a warning (admit.ts).
// - The body is read up to `maxBodyBytes`; a longer one → 413 and the connection is closed.
// - `setCertificate` swaps the serving certificate for new connections (tls.Server.setSecureContext):
//   a rotated certificate is served without a restart, and connections already open keep theirs.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { LifeboatError } from '../../common/errors.ts';
import type { Admit } from './admit.ts';
import type { AdmissionMetrics } from './metrics.ts';
import { admissionResponse, MalformedReviewError, parseAdmissionReview } from './review.ts';

export const MUTATE_PODS_PATH = '/mutate-pods';

/**
 * The API server sends objects up to etcd's 1.5 MiB request limit, twice at most (object and
 * oldObject) plus the review around them: 4 MiB holds any real review and bounds what a client can
 * make us buffer.
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ServingCertificate {
  /** PEM: the serving certificate (then its chain). */
  readonly cert: string;
  /** PEM: its private key. */
  readonly key: string;
}

export interface AdmissionServerOptions {
  /** `host:port`, `[v6]:port` or `:port`; port 0 picks a free one. */
  readonly address: string;
  readonly certificate: ServingCertificate;
  readonly admit: Admit;
  readonly metrics: AdmissionMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
}

export interface AdmissionServer {
  /** The bound `host:port` (IPv6 in brackets). */
  readonly address: string;
  /** Serves `certificate` to every new connection. */
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

export class AdmissionServerListenError extends LifeboatError {
  readonly code = 'ADMISSION_SERVER_LISTEN';
  readonly temporary = false;
  constructor(address: string, reason: string, options?: ErrorOptions) {
    super(`cannot serve the admission webhook on ${JSON.stringify(address)}: ${reason}`, options);
    this.name = 'AdmissionServerListenError';
  }
}

class BodyTooLargeError extends LifeboatError {
  readonly code = 'ADMISSION_BODY_TOO_LARGE';
  readonly temporary = false;
}

export async function startAdmissionServer(o: AdmissionServerOptions): Promise<AdmissionServer> {
  const { host, port } = parseAddress(o.address);
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = o.logger.child({ component: 'pod-admission' });
  const server: Server = createServer({ cert: o.certificate.cert, key: o.certificate.key }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const path = (req.url ?? '').split('?')[0];
    if (path !== MUTATE_PODS_PATH) return reply(res, 404, 'not found\n');
    if (req.method !== 'POST') return reply(res, 405, 'only POST\n');
    let body: string;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      o.metrics.observe('error', seconds());
      if (err instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        return reply(res, 413, `${err.message}\n`);
      }
      return reply(res, 400, 'the request body could not be read\n');
    }
    let answer;
    let uid;
    try {
      const request = parseAdmissionReview(body);
      uid = request.uid;
      answer = o.admit(request);
    } catch (err) {
      o.metrics.observe('error', seconds());
      if (err instanceof MalformedReviewError) {
        logger.warn({ reason: err.message }, 'malformed AdmissionReview');
        return reply(res, 400, `malformed AdmissionReview: ${err.message}\n`);
      }
      // A bug of ours must not block the Pod either: allow it unchanged, say so.
      logger.error({ err }, 'admission failed; the Pod is allowed unchanged');
      if (uid === undefined) return reply(res, 500, 'internal error\n');
      answer = {
        result: 'error' as const,
        patch: [],
        warnings: ['lifeboat failed to review this Pod; its images were left as written'],
      };
    }
    const json = JSON.stringify(admissionResponse(uid, answer));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
    o.metrics.observe(answer.result, seconds());
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new AdmissionServerListenError(o.address, err.message, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address =
    bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  logger.info({ address, path: MUTATE_PODS_PATH }, 'admission webhook serving');
  return {
    address,
    setCertificate(certificate) {
      server.setSecureContext({ cert: certificate.cert, key: certificate.key });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The whole body as UTF-8; BodyTooLargeError as soon as it passes `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new BodyTooLargeError(`the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`the body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || !(port <= 65535))
    throw new AdmissionServerListenError(address, 'expected host:port, [ipv6]:port or :port');
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}
