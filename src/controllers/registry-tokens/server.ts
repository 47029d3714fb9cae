/**
 * The token endpoint's HTTPS listener (`--token-addr`): reads at most MAX_BODY_BYTES of a request,
 * hands it to `answer`, writes the JSON reply. Its certificate comes from `--token-tls-secret` and is
 * swapped in place (`setSecureContext`) when the Secret changes, without dropping the listener.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { LifeboatError } from '../../common/errors.ts';
import type { RawTokenRequest } from './request.ts';
import type { TokenReply } from './answer.ts';

/** Form bodies are a few hundred bytes; more is refused unread (413). */
const MAX_BODY_BYTES = 8192;
/** A client that sends its request slower than this is cut off: every connection is bounded. */
const REQUEST_TIMEOUT_MS = 10_000;

export class TokenServerListenError extends LifeboatError {
  readonly code = 'TOKEN_SERVER_LISTEN';
  readonly temporary = false;
}

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export interface TokenListener {
  /** `host:port` actually bound. */
  readonly address: string;
  /** Serves with a new certificate from now on (connections already open keep theirs). */
  setTls(pair: TlsPair): void;
  close(): Promise<void>;
}

/** Splits `host:port`; an empty host means every interface. */
function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || !(port <= 65535)) throw new TokenServerListenError(`--token-addr ${address}: expected HOST:PORT`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: TokenReply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export async function listenTokenServer(o: {
  readonly address: string;
  readonly tls: TlsPair;
  readonly answer: (raw: RawTokenRequest) => Promise<TokenReply>;
  readonly logger: Logger;
}): Promise<TokenListener> {
  const { host, port } = parseAddress(o.address);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    if (req.method === 'POST' && body === undefined) {
      return send(res, {
        status: 413,
        body: { errors: [{ code: 'SIZE_INVALID', message: 'request too large' }] },
      });
    }
    const authorization = req.headers.authorization;
    send(
      res,
      await o.answer({
        method: req.method ?? '',
        url: req.url ?? '/',
        ...(authorization === undefined ? {} : { authorization }),
        ...(body === undefined ? {} : { body }),
      }),
    );
  };
  const server: Server = createServer(
    { cert: o.tls.cert, key: o.tls.key, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        o.logger.error({ err }, 'token request failed');
        if (!res.headersSent)
          send(res, { status: 500, body: { errors: [{ code: 'UNKNOWN', message: 'internal error' }] } });
        else res.destroy();
      });
    },
  );
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new TokenServerListenError(`cannot serve tokens on ${o.address}: ${err.message}`, { cause: err }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    setTls: (pair) => server.setSecureContext({ cert: pair.cert, key: pair.key }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
