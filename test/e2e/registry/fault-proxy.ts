// A fault-injecting HTTP proxy in front of a REAL registry (never a fake one): requests are forwarded
// unchanged (Host included, so the registry's Locations point back at the proxy) unless a rule
// matches, in which case the rule decides: an injected status (429 + Retry-After, 503), a reset or a
// truncation after N body bytes, flipped bytes, a replaced body (oversized manifest), a redirect to a
// second loopback host (127.0.0.2) that records whether Authorization arrived, no answer at all (a hung
// registry) or a late one, or a forward without Authorization (the registry then refuses the token, as it would an
// expired one).
// With `rewriteRealm`, token realms in WWW-Authenticate are pointed at the proxy (`/__token`) so token
// requests can be counted and rewritten too. Every request is recorded for flood checks.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export type FaultAction =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Reset the connection before any response. */
  | { readonly kind: 'reset' }
  /** Never answer (until the client gives up or the proxy stops): a registry that hangs. */
  | { readonly kind: 'hang' }
  /** Forward after `ms`: a slow registry (a transfer that certainly overlaps others). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward, then send the headers and `afterBytes` of the body and reset the connection. */
  | { readonly kind: 'reset-mid-body'; readonly afterBytes: number }
  /** Forward, then send `afterBytes` of the body and close cleanly (FIN): a short body. */
  | { readonly kind: 'truncate-body'; readonly afterBytes: number }
  /** Forward, flipping every bit of the byte at `at` (same length, wrong content). */
  | { readonly kind: 'corrupt-body'; readonly at: number }
  /** Answer 200 with this body instead of forwarding. */
  | {
      readonly kind: 'replace-body';
      readonly body: Buffer;
      readonly headers: Readonly<Record<string, string>>;
      /** Send without Content-Length (chunked), so only reading tells the size. */
      readonly chunked?: boolean;
    }
  /** 307 to the second host, which records the request and forwards it with the original credentials. */
  | { readonly kind: 'redirect-other-host' }
  /** Forward, adding these headers to the response. */
  | { readonly kind: 'add-response-headers'; readonly headers: Readonly<Record<string, string>> }
  /** Forward without the Authorization header. */
  | { readonly kind: 'strip-authorization' }
  /** Token requests only (`/__token`): rewrite the query before forwarding to the real realm. */
  | { readonly kind: 'token-query'; readonly rewrite: (query: URLSearchParams) => void };

export interface FaultRule {
  readonly method?: string;
  /** Matches when the request path (with query) contains it, or matches it. */
  readonly path?: string | RegExp;
  /** How many matching requests it affects (default: all). */
  readonly times?: number;
  readonly action: FaultAction;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Scheme of the Authorization header (`Basic`, `Bearer`), or undefined when none came. */
  readonly authorization: string | undefined;
  /** Whether a rule acted on it. */
  readonly faulted: boolean;
}

export interface RedirectHit {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, to use as the registry host. */
  readonly host: string;
  readonly url: string;
  /** `127.0.0.2:PORT`: the redirect target. */
  readonly otherHost: string;
  readonly requests: RecordedRequest[];
  readonly redirectHits: RedirectHit[];
  /** Adds a rule; returns a counter of how many requests it affected. */
  addRule(rule: FaultRule): { hits(): number };
  clearRules(): void;
  /** Requests seen matching method and path (substring). */
  count(method: string, path?: string): number;
  stop(): Promise<void>;
}

interface ActiveRule {
  readonly rule: FaultRule;
  hits: number;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

export async function startFaultProxy(options: {
  /** Base URL of the real registry, e.g. `http://127.0.0.1:5000`. */
  readonly upstream: string;
  /** Point token realms at the proxy so token requests pass through it. */
  readonly rewriteRealm?: boolean;
}): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const rules: ActiveRule[] = [];
  const requests: RecordedRequest[] = [];
  const redirectHits: RedirectHit[] = [];
  /** Credentials of redirected requests, by one-time key (a presigned URL in spirit). */
  const stashed = new Map<string, string | undefined>();
  let upstreamRealm: string | undefined;
  let selfUrl = '';
  let otherUrl = '';

  const pickRule = (method: string, path: string): ActiveRule | undefined => {
    const active = rules.find(
      (r) => (r.rule.times === undefined || r.hits < r.rule.times) && matches(r.rule, method, path),
    );
    if (active !== undefined) active.hits++;
    return active;
  };

  /** Forwards to `target`, handing the upstream response to `onResponse`. */
  const forward = (
    req: IncomingMessage,
    target: URL,
    headers: IncomingHttpHeaders,
    res: ServerResponse,
    onResponse: (up: IncomingMessage) => void,
  ): void => {
    const up = httpRequest(target, { method: req.method, headers }, onResponse);
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(up);
  };

  const responseHeaders = (up: IncomingMessage): IncomingHttpHeaders => {
    const headers = { ...up.headers };
    const challenge = headers['www-authenticate'];
    if (options.rewriteRealm === true && typeof challenge === 'string') {
      headers['www-authenticate'] = challenge.replace(/realm="([^"]*)"/i, (_m, realm: string) => {
        upstreamRealm = realm;
        return `realm="${selfUrl}/__token"`;
      });
    }
    return headers;
  };

  const passThrough = (up: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(up.statusCode ?? 502, responseHeaders(up));
    up.pipe(res);
  };

  /** Sends the headers and the first `limit` bytes, then ends the connection (`reset` or FIN). */
  const cutBody = (up: IncomingMessage, res: ServerResponse, limit: number, reset: boolean): void => {
    res.writeHead(up.statusCode ?? 502, responseHeaders(up));
    let sent = 0;
    let cut = false;
    up.on('data', (chunk: Buffer) => {
      if (cut) return;
      const room = limit - sent;
      const part = chunk.subarray(0, Math.max(0, room));
      sent += part.length;
      if (part.length > 0) res.write(part);
      if (sent >= limit) {
        cut = true;
        up.destroy();
        const socket = res.socket;
        // Let the written bytes leave before cutting the connection.
        setImmediate(() => (reset ? socket?.resetAndDestroy() : socket?.end()));
      }
    });
    up.on('end', () => {
      if (!cut) res.end();
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const auth = req.headers.authorization;
    const active = pickRule(method, path);
    requests.push({ method, path, authorization: auth?.split(' ')[0], faulted: active !== undefined });
    const action = active?.rule.action;

    if (path.startsWith('/__token')) {
      if (upstreamRealm === undefined) {
        res.writeHead(502).end('no realm seen yet');
        return;
      }
      const target = new URL(upstreamRealm);
      const query = new URL(path, 'http://x').searchParams;
      if (action?.kind === 'token-query') action.rewrite(query);
      for (const [k, v] of query) target.searchParams.append(k, v);
      const headers = { ...req.headers, host: target.host };
      forward(req, target, headers, res, (up) => passThrough(up, res));
      return;
    }

    const target = new URL(path, upstream);
    const headers = { ...req.headers };
    switch (action?.kind) {
      case undefined:
      case 'token-query':
        forward(req, target, headers, res, (up) => passThrough(up, res));
        return;
      case 'status':
        req.resume();
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
        res.end(action.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: 'fault proxy' }] }));
        return;
      case 'reset':
        req.resume();
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        req.resume();
        return;
      case 'delay':
        setTimeout(() => forward(req, target, headers, res, (up) => passThrough(up, res)), action.ms);
        return;
      case 'reset-mid-body':
      case 'truncate-body':
        forward(req, target, headers, res, (up) =>
          cutBody(up, res, action.afterBytes, action.kind === 'reset-mid-body'),
        );
        return;
      case 'corrupt-body':
        forward(req, target, headers, res, (up) => {
          res.writeHead(up.statusCode ?? 502, responseHeaders(up));
          let offset = 0;
          up.on('data', (chunk: Buffer) => {
            const copy = Buffer.from(chunk);
            const i = action.at - offset;
            if (i >= 0 && i < copy.length) copy[i] = (copy[i] ?? 0) ^ 0xff;
            offset += chunk.length;
            res.write(copy);
          });
          up.on('end', () => res.end());
        });
        return;
      case 'replace-body':
        req.resume();
        res.writeHead(200, {
          ...action.headers,
          ...(action.chunked === true ? {} : { 'content-length': String(action.body.length) }),
        });
        res.end(action.body);
        return;
      case 'redirect-other-host': {
        req.resume();
        const key = randomUUID();
        stashed.set(key, auth);
        res.writeHead(307, { location: `${otherUrl}/${key}${path}` });
        res.end();
        return;
      }
      case 'add-response-headers':
        forward(req, target, headers, res, (up) => {
          res.writeHead(up.statusCode ?? 502, { ...responseHeaders(up), ...action.headers });
          up.pipe(res);
        });
        return;
      case 'strip-authorization':
        delete headers.authorization;
        forward(req, target, headers, res, (up) => passThrough(up, res));
        return;
    }
  };

  const handleOther = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const slash = raw.indexOf('/', 1);
    const key = raw.slice(1, slash < 0 ? undefined : slash);
    const path = slash < 0 ? '/' : raw.slice(slash);
    redirectHits.push({ method, path, authorization: req.headers.authorization });
    if (!stashed.has(key)) {
      res.writeHead(404).end();
      return;
    }
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const original = stashed.get(key);
    if (original !== undefined) headers.authorization = original;
    forward(req, new URL(path, upstream), headers, res, (up) => passThrough(up, res));
  };

  const server = createServer(handle);
  const other = createServer(handleOther);
  const sockets = trackSockets(server);
  const otherSockets = trackSockets(other);
  const port = await listen(server, '127.0.0.1');
  const otherPort = await listen(other, '127.0.0.2');
  selfUrl = `http://127.0.0.1:${port}`;
  otherUrl = `http://127.0.0.2:${otherPort}`;

  return {
    host: `127.0.0.1:${port}`,
    url: selfUrl,
    otherHost: `127.0.0.2:${otherPort}`,
    requests,
    redirectHits,
    addRule(rule) {
      const active: ActiveRule = { rule, hits: 0 };
      rules.push(active);
      return { hits: () => active.hits };
    },
    clearRules() {
      rules.length = 0;
    },
    count(method, path) {
      return requests.filter((r) => r.method === method && (path === undefined || r.path.includes(path)))
        .length;
    },
    async stop() {
      for (const s of [...sockets, ...otherSockets]) s.destroy();
      await Promise.all([server, other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
