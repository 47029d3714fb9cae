// A plain-HTTP forwarder in front of a registry that counts requests by method and bytes each way.
// The Host header is forwarded unchanged, so the registry builds upload Locations that point back at
// the proxy and every request of a copy passes through it. Used only in the counting pass (its
// stream copying costs CPU on a 2-core machine), never while timing.
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface Counts {
  /** Requests by method (`GET`, `HEAD`, `PUT`, ...). */
  readonly byMethod: Record<string, number>;
  readonly requests: number;
  /** Request body bytes (client → registry). */
  readonly bytesUp: number;
  /** Response body bytes (registry → client). */
  readonly bytesDown: number;
}

export interface CountingProxy {
  /** `127.0.0.1:PORT` of the proxy. */
  readonly host: string;
  /** Counts since the last reset. */
  counts(): Counts;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstreamHost: string): Promise<CountingProxy> {
  const [hostname = '127.0.0.1', port = '80'] = upstreamHost.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let byMethod: Record<string, number> = {};
  let bytesUp = 0;
  let bytesDown = 0;
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    const upstream = httpRequest(
      { hostname, port: Number(port), method, path: req.url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.on('data', (chunk: Buffer) => (bytesDown += chunk.length));
        up.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.on('data', (chunk: Buffer) => (bytesUp += chunk.length));
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${address.port}`,
    counts: () => ({
      byMethod: { ...byMethod },
      requests: Object.values(byMethod).reduce((s, n) => s + n, 0),
      bytesUp,
      bytesDown,
    }),
    reset() {
      byMethod = {};
      bytesUp = 0;
      bytesDown = 0;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      agent.destroy();
      await once(server, 'close');
    },
  };
}
