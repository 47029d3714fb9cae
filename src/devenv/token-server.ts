// A Docker registry token server (the Bearer flow of distribution's token auth spec), small enough to
// read: it checks Basic credentials, grants what each user may do, and signs an ES256 JWT whose x5c
// header chains to the certificate the registry trusts.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomUUID, sign, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface TokenUser {
  readonly password: string;
  /** Actions granted on every repository: ['pull'] or ['pull', 'push', 'delete']. */
  readonly actions: readonly string[];
}

export interface TokenServerOptions {
  readonly issuer: string;
  readonly service: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly users: Readonly<Record<string, TokenUser>>;
  /** Actions for requests without credentials; none when undefined (anonymous is refused). */
  readonly anonymousActions?: readonly string[];
  readonly ttlSeconds: number;
  /** Serve over TLS with this certificate (for registries behind TLS: clients refuse http realms there). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface TokenServer {
  readonly realm: string;
  /** Tokens issued so far (for tests that count authentication round trips). */
  issued(): number;
  close(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(readFileSync(options.keyFile));
  const certDer = new X509Certificate(readFileSync(options.certFile)).raw.toString('base64');
  let issued = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://token');
    if (url.pathname !== '/token') return reply(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    let user: string | undefined;
    let password: string | undefined;
    let scopes: string[];
    let refreshToken: string | undefined;
    if (req.method === 'POST') {
      // OAuth2 form, as docker uses with identity tokens.
      const form = new URLSearchParams(await readBody(req));
      const grant = form.get('grant_type');
      if (grant === 'password') {
        user = form.get('username') ?? undefined;
        password = form.get('password') ?? undefined;
      } else if (grant === 'refresh_token') {
        [user, password] = decodeRefreshToken(form.get('refresh_token') ?? '');
      }
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    } else {
      [user, password] = basicCredentials(req.headers.authorization);
      scopes = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter(Boolean);
    }
    let granted: readonly string[];
    if (user === undefined) {
      if (!options.anonymousActions) return reply(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      granted = options.anonymousActions;
    } else {
      const account = options.users[user];
      if (!account || account.password !== password) {
        return reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] });
      }
      granted = account.actions;
      if (req.method === 'POST') refreshToken = encodeRefreshToken(user, account.password);
    }
    const access = scopes.map(parseScope).flatMap((scope): Access[] => {
      if (!scope) return [];
      const actions = scope.actions.filter(
        (a) => granted.includes(a) || (a === '*' && granted.includes('delete')),
      );
      return [{ type: scope.type, name: scope.name, actions }];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: options.issuer,
      sub: user ?? '',
      aud: options.service,
      exp: now + options.ttlSeconds,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer] };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${signingInput}.${signature.toString('base64url')}`;
    issued++;
    reply(res, 200, {
      token,
      access_token: token,
      expires_in: options.ttlSeconds,
      issued_at: new Date(now * 1000).toISOString(),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  };
  const create = (): Server =>
    options.tls
      ? createHttpsServer(
          { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
          listener,
        )
      : createHttpServer(listener);
  // The realm names `localhost`, not an IP literal: go-containerregistry refuses realms on private
  // IP literals (SSRF guard). localhost may resolve to either loopback family, so listen on both.
  const v4 = create();
  await new Promise<void>((resolve) => v4.listen(0, '127.0.0.1', resolve));
  const { port } = v4.address() as AddressInfo;
  const servers = [v4];
  const v6 = create();
  const v6Listening = await new Promise<boolean>((resolve) => {
    v6.once('error', () => resolve(false));
    v6.listen(port, '::1', () => resolve(true));
  });
  if (v6Listening) servers.push(v6);
  return {
    realm: `${options.tls ? 'https' : 'http'}://localhost:${port}/token`,
    issued: () => issued,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

function parseScope(scope: string): Access | undefined {
  // type:name:actions, where the name may itself hold a host:port.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(','),
  };
}

function basicCredentials(header: string | undefined): [string | undefined, string | undefined] {
  if (!header?.startsWith('Basic ')) return [undefined, undefined];
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function encodeRefreshToken(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64url');
}

function decodeRefreshToken(token: string): [string | undefined, string | undefined] {
  return basicCredentials(`Basic ${Buffer.from(token, 'base64url').toString('base64')}`);
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
