// The Bearer token exchange (distribution `docs/spec/auth/token.md`, `oauth.md`): request building and
// response parsing are pure; the HTTP call goes through the narrow `TokenHttp` the transport provides,
// so the exchange gets the same TLS, retries and metrics as every other request.
import { basicAuthorization, type Credentials } from './credentials.ts';

/** Registries send no `expires_in` sometimes; the spec says assume 60 s. */
export const DEFAULT_TOKEN_LIFETIME_MS = 60_000;
/** Sent as `client_id` on OAuth requests; token servers log it. */
export const OAUTH_CLIENT_ID = 'lifeboat';

export interface TokenHttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
}

export interface TokenHttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** One HTTP exchange with a token server; implementations retry transient failures themselves. */
export type TokenHttp = (request: TokenHttpRequest, signal?: AbortSignal) => Promise<TokenHttpResponse>;

export interface TokenChallenge {
  readonly realm: string;
  readonly service?: string | undefined;
}

export interface Token {
  readonly token: string;
  /** Lifetime the server granted, in ms (default 60 s). */
  readonly lifetimeMs: number;
  readonly refreshToken?: string | undefined;
}

/**
 * GET `<realm>?service=<svc>&scope=<s1>&scope=<s2>`: one `scope` parameter per scope, since servers
 * read repeated parameters and not a space-joined one on GET. Basic credentials go in Authorization;
 * anonymous gets an anonymous token.
 */
export function tokenGetRequest(
  challenge: TokenChallenge,
  scopes: readonly string[],
  credentials: Credentials,
): TokenHttpRequest {
  const url = new URL(challenge.realm);
  if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  if (credentials.kind === 'basic') {
    headers['authorization'] = basicAuthorization(credentials.username, credentials.password);
  } else if (credentials.kind === 'identityToken') {
    // Fallback for token servers without the OAuth endpoint (ggcr does the same on a 404).
    headers['authorization'] = basicAuthorization(credentials.username ?? '<token>', credentials.token);
  }
  return { method: 'GET', url: url.toString(), headers };
}

/** OAuth2 POST form exchanging an identity (refresh) token; scopes are space-joined here. */
export function tokenOAuthRequest(
  challenge: TokenChallenge,
  scopes: readonly string[],
  refreshToken: string,
): TokenHttpRequest {
  const form = new URLSearchParams();
  form.set('grant_type', 'refresh_token');
  form.set('refresh_token', refreshToken);
  if (challenge.service !== undefined) form.set('service', challenge.service);
  form.set('client_id', OAUTH_CLIENT_ID);
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  return {
    method: 'POST',
    url: challenge.realm,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  };
}

/** Parses a token response body; undefined when it holds no token. */
export function parseTokenResponse(body: Buffer): Token | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const p = parsed as Record<string, unknown>;
  const token =
    typeof p['token'] === 'string' && p['token'] !== ''
      ? p['token']
      : typeof p['access_token'] === 'string' && p['access_token'] !== ''
        ? p['access_token']
        : undefined;
  if (token === undefined) return undefined;
  const expiresIn = typeof p['expires_in'] === 'number' && p['expires_in'] > 0 ? p['expires_in'] : undefined;
  return {
    token,
    lifetimeMs: expiresIn === undefined ? DEFAULT_TOKEN_LIFETIME_MS : expiresIn * 1000,
    refreshToken: typeof p['refresh_token'] === 'string' ? p['refresh_token'] : undefined,
  };
}

/** Refresh a token before the server starts refusing it: 10 s early, or halfway for short tokens. */
export function refreshAfterMs(lifetimeMs: number): number {
  return Math.max(lifetimeMs - 10_000, lifetimeMs / 2);
}
