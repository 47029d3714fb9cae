// A small forwarding proxy in front of a REAL registry that counts what crosses it: requests by
// method and path, and the request-body bytes of blob uploads (PUT/PATCH). The Host header is
// forwarded unchanged, so the registry's upload Locations point back at the proxy and every request
// of a copy is seen. Optional faults change blob GET bodies: `corrupt` flips one byte (same length,
// wrong digest), `truncate` sends half the body and closes the connection.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** Request body bytes (uploads). */
  readonly bytesIn: number;
  readonly status: number;
}

export type BlobFault = 'corrupt' | 'truncate';

export interface CountingProxy {
  /** `127.0.0.1:PORT`, to use in references instead of the registry's host. */
  readonly host: string;
  readonly requests: ProxiedRequest[];
  /** Sets the fault for blob GETs whose path contains `digest` (all blobs when undefined); `times` bounds it. */
  fault(kind: BlobFault | undefined, options?: { readonly digest?: string; readonly times?: number }): void;
  /** Bytes of PUT and PATCH bodies sent to blob upload URLs. */
  uploadedBytes(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let fault: { kind: BlobFault; digest: string | undefined; remaining: number } | undefined;

  const faultFor = (req: IncomingMessage): BlobFault | undefined => {
    if (fault === undefined || req.method !== 'GET' || !/\/blobs\/sha256:/.test(req.url ?? ''))
      return undefined;
    if (fault.digest !== undefined && !(req.url ?? '').includes(fault.digest)) return undefined;
    if (fault.remaining <= 0) return undefined;
    fault.remaining--;
    return fault.kind;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    let bytesIn = 0;
    req.on('data', (chunk: Buffer) => (bytesIn += chunk.length));
    const kind = faultFor(req);
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        const record = (): void => {
          requests.push({
            method: req.method ?? '',
            path: req.url ?? '',
            bytesIn,
            status: up.statusCode ?? 0,
          });
        };
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (kind === undefined || up.statusCode !== 200) {
          up.pipe(res);
          up.on('end', record);
          return;
        }
        record();
        const length = Number(up.headers['content-length'] ?? 0);
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          const start = sent;
          sent += chunk.length;
          if (kind === 'truncate') {
            const keep = Math.max(0, Math.min(chunk.length, Math.floor(length / 2) - start));
            if (keep > 0) res.write(chunk.subarray(0, keep));
            if (sent >= length / 2) {
              up.destroy();
              res.socket?.end();
              res.destroy();
            }
            return;
          }
          const middle = Math.floor(length / 2);
          if (middle >= start && middle < sent) {
            const copy = Buffer.from(chunk);
            copy[middle - start] = (copy[middle - start] ?? 0) ^ 0xff;
            res.write(copy);
          } else {
            res.write(chunk);
          }
        });
        up.on('end', () => res.end());
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    requests,
    fault(kind, options = {}) {
      fault =
        kind === undefined
          ? undefined
          : { kind, digest: options.digest, remaining: options.times ?? Infinity };
    },
    uploadedBytes() {
      return requests
        .filter((r) => (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/uploads/'))
        .reduce((sum, r) => sum + r.bytesIn, 0);
    },
    reset() {
      requests.length = 0;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
