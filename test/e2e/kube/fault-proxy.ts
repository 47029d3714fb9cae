// A fault-injecting HTTP proxy in front of the real kube-apiserver. The client under test speaks
// plain HTTP to the proxy (kubeconfig server http://127.0.0.1:PORT); the proxy speaks TLS to the
// apiserver with the admin client certificate. A `fault` function decides, per request, whether to
// pass it through or answer with an HTTP error, reset the connection, stall (send headers, then
// nothing), or send a body of our choosing. Every request is logged so tests can count them.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'stall' }
  | { kind: 'body'; status: number; body: string };

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
  at: number;
  fault: Fault['kind'];
}

export type FaultRule = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
}) => Fault;

export interface FaultProxy {
  readonly url: string;
  /** A kubeconfig (in memory) that sends the client through the proxy. */
  kubeConfig(): KubeConfig;
  setFault(rule: FaultRule): void;
  /** Every request seen so far, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Destroys every response in flight (watches included), as a dropped connection would. */
  cutStreams(): void;
  stop(): Promise<void>;
}

export const PASS: FaultRule = () => ({ kind: 'pass' });

/** Starts a proxy to the apiserver of `kubeconfigPath` (an admin kubeconfig with a client certificate). */
export async function startFaultProxy(kubeconfigPath: string): Promise<FaultProxy> {
  const upstream = new KubeConfig();
  upstream.loadFromFile(kubeconfigPath);
  const cluster = upstream.getCurrentCluster();
  const user = upstream.getCurrentUser();
  if (!cluster?.caFile || !user?.certFile || !user.keyFile) {
    throw new Error('fault proxy needs a kubeconfig with caFile, certFile and keyFile');
  }
  const target = new URL(cluster.server);
  const agent = new HttpsAgent({
    keepAlive: true,
    ca: readFileSync(cluster.caFile),
    cert: readFileSync(user.certFile),
    key: readFileSync(user.keyFile),
  });
  let rule: FaultRule = PASS;
  const requests: ProxiedRequest[] = [];
  const inFlight = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const watch = url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true';
    const info = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, watch };
    const fault = rule(info);
    requests.push({ ...info, at: Date.now(), fault: fault.kind });
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    switch (fault.kind) {
      case 'status': {
        req.resume();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        res.writeHead(fault.status, headers);
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: fault.status,
            message: 'injected by the fault proxy',
          }),
        );
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        return;
      case 'body':
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(fault.body);
        return;
      case 'pass':
        break;
    }
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    const up = httpsRequest(
      {
        protocol: 'https:',
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upRes) => {
        const outHeaders = { ...upRes.headers };
        delete outHeaders.connection;
        delete outHeaders['transfer-encoding'];
        delete outHeaders['keep-alive'];
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        res.flushHeaders();
        upRes.on('data', (chunk: Buffer) => res.write(chunk));
        upRes.on('end', () => res.end());
        upRes.on('error', () => res.destroy());
        res.on('close', () => upRes.destroy());
      },
    );
    up.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('upstream error');
      } else {
        res.destroy();
      }
    });
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'proxy', server: url, skipTLSVerify: true }],
        users: [{ name: 'proxy-user' }],
        contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy-user' }],
        currentContext: 'proxy',
      });
      return kc;
    },
    setFault(next) {
      rule = next;
    },
    requests,
    cutStreams() {
      for (const res of inFlight) res.destroy();
      for (const s of sockets) s.destroy();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
