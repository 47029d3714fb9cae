// The per-registry auth state machine (the handshake of ggcr's transport.go, done lazily):
//  1. a request goes out with whatever the last challenge says (nothing at first);
//  2. a 401 carries WWW-Authenticate: Basic → answer with Basic credentials; Bearer → get a token for
//     the request's scopes from the realm and retry;
//  3. a 401 with `error="insufficient_scope"` merges the scopes it names (first) and gets a new token;
//  4. any other 401 with a token drops that token (expired or revoked) and gets a fresh one.
// Tokens are cached per (realm, service, scope set) and refreshed before they expire; concurrent
// requests for the same scope set share one token request, so a burst of requests is one exchange.
import { UnauthorizedError, ProtocolError, redactUrl } from '../model/errors.ts';
import { parseChallenges, selectChallenge, type AuthChallenge } from './challenge.ts';
import { basicAuthorization, describeCredentials, type Credentials } from './credentials.ts';
import { mergeScopes, scopeKey } from './scope.ts';
import { untilAborted } from '../model/until-aborted.ts';
import {
  parseTokenResponse,
  refreshAfterMs,
  tokenGetRequest,
  tokenOAuthRequest,
  type Token,
  type TokenHttp,
  type TokenHttpRequest,
} from './token.ts';

export interface AuthenticatorOptions {
  /** Host as the user wrote it, for messages. */
  readonly registry: string;
  readonly credentials: Credentials;
  readonly http: TokenHttp;
  /** Milliseconds since the epoch; injectable so expiry tests need no sleeping. */
  readonly now?: () => number;
}

/** What to do after a 401. */
export type ChallengeDecision =
  | { readonly retry: true; readonly scopes: readonly string[] }
  | { readonly retry: false; readonly error: UnauthorizedError };

export interface Authenticator {
  /** The Authorization value for a request needing `scopes`; undefined while the registry asked for none. */
  authorize(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Digests a 401. `sent` is the Authorization the failed request carried. Retry at most twice per
   * request (once to learn the challenge, once for a scope or token refresh): the caller bounds it.
   */
  challenged(
    wwwAuthenticate: string | readonly string[] | undefined,
    scopes: readonly string[],
    sent: string | undefined,
  ): ChallengeDecision;
}

interface CacheEntry {
  readonly promise: Promise<{ readonly token: Token; readonly refreshAt: number }>;
  settled?: { readonly token: Token; readonly refreshAt: number };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { registry, credentials, http } = options;
  const now = options.now ?? Date.now;
  let challenge: AuthChallenge | undefined;
  const cache = new Map<string, CacheEntry>();

  const unauthorized = (scopes: readonly string[], detail: string, status?: number): UnauthorizedError => {
    const scope = scopes.join(' ');
    return new UnauthorizedError(
      `registry ${registry} refused access (${describeCredentials(credentials)})` +
        (scope === '' ? '' : ` for scope "${scope}"`) +
        `: ${detail}`,
      { registry, status, scope },
    );
  };

  const cacheKey = (c: { realm: string; service?: string | undefined }, scopes: readonly string[]): string =>
    `${c.realm}\u0000${c.service ?? ''}\u0000${scopeKey(scopes)}`;

  async function exchange(
    c: { realm: string; service?: string | undefined },
    scopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Token> {
    let request: TokenHttpRequest =
      credentials.kind === 'identityToken'
        ? tokenOAuthRequest(c, scopes, credentials.token)
        : tokenGetRequest(c, scopes, credentials);
    let response = await http(request, signal);
    if (response.status === 404 && request.method === 'POST') {
      // Token servers without the OAuth endpoint: fall back to GET (ggcr does the same).
      request = tokenGetRequest(c, scopes, credentials);
      response = await http(request, signal);
    }
    if (response.status === 401 || response.status === 403) {
      throw unauthorized(
        scopes,
        `token server ${redactUrl(c.realm)} answered ${response.status}`,
        response.status,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ProtocolError(
        `token server ${redactUrl(c.realm)} for registry ${registry} answered ${response.status}`,
        { registry, status: response.status, url: redactUrl(c.realm), temporary: response.status >= 500 },
      );
    }
    const token = parseTokenResponse(response.body);
    if (token === undefined) {
      throw new ProtocolError(`token server ${redactUrl(c.realm)} for registry ${registry} sent no token`, {
        registry,
        status: response.status,
      });
    }
    return token;
  }

  async function bearer(
    c: Extract<AuthChallenge, { kind: 'bearer' }>,
    scopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const key = cacheKey(c, scopes);
    const cached = cache.get(key);
    if (cached !== undefined && (cached.settled === undefined || now() < cached.settled.refreshAt)) {
      return `Bearer ${(await untilAborted(cached.promise, signal)).token.token}`;
    }
    const started = now();
    const entry: CacheEntry = {
      // Shared by every request that needs these scopes meanwhile: no one caller's signal may
      // cancel it for the others (the wire's timeouts bound it). Each waiter stops at its own.
      promise: exchange(c, scopes, undefined).then((token) => {
        const settled = { token, refreshAt: started + refreshAfterMs(token.lifetimeMs) };
        entry.settled = settled;
        return settled;
      }),
    };
    cache.set(key, entry);
    entry.promise.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return `Bearer ${(await untilAborted(entry.promise, signal)).token.token}`;
  }

  return {
    async authorize(scopes, signal) {
      const c = challenge;
      if (c === undefined || c.kind === 'none') return undefined;
      if (c.kind === 'basic') {
        return credentials.kind === 'basic'
          ? basicAuthorization(credentials.username, credentials.password)
          : undefined;
      }
      return bearer(c, scopes, signal);
    },

    challenged(wwwAuthenticate, scopes, sent) {
      const next = selectChallenge(parseChallenges(wwwAuthenticate));
      if (next.kind === 'none') {
        return { retry: false, error: unauthorized(scopes, 'answered 401 without a usable challenge', 401) };
      }
      const previous = challenge;
      challenge = next.kind === 'bearer' ? { ...next, error: undefined } : next;
      if (next.kind === 'basic') {
        if (credentials.kind !== 'basic') {
          return { retry: false, error: unauthorized(scopes, 'Basic credentials are required', 401) };
        }
        if (sent !== undefined && sent.startsWith('Basic ')) {
          return { retry: false, error: unauthorized(scopes, 'credentials rejected', 401) };
        }
        return { retry: true, scopes };
      }
      if (sent === undefined || !sent.startsWith('Bearer ') || previous?.kind !== 'bearer') {
        return { retry: true, scopes };
      }
      // A token was sent and refused. Drop it so the retry gets a fresh one.
      cache.delete(cacheKey(next, scopes));
      if (next.error === 'insufficient_scope') {
        // Retry even when the merged set equals ours: the token we held may have been granted less than
        // we asked. The caller's retry bound ends it if the token server keeps refusing.
        const merged = mergeScopes(next.scopes, scopes);
        cache.delete(cacheKey(next, merged));
        return { retry: true, scopes: merged };
      }
      return { retry: true, scopes };
    },
  };
}
