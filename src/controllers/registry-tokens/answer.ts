/**
 * One token request, answered: parse (request.ts) → authenticate and grant (decide.ts) → sign
 * (sign.ts). The HTTP listener (server.ts) only moves bytes; every answer is decided here from the
 * caches' current state, so each replica answers alike and a leader change changes nothing.
 *
 * Answers (distribution's token spec): 200 with `{token, access_token, expires_in, issued_at}`
 * (an anonymous or refused-scope request gets a token with an empty `access`, so the registry
 * answers 401/403 itself); 401 for credentials that match no identity; 400 for a request that
 * cannot be read or names another service; 503 until the caches are synced and the signing key is
 * usable. No answer or log line holds a password.
 */
import type { Logger } from 'pino';
import { authenticate, decideGrant, type BackupAccess, type Identities } from './decide.ts';
import { parseTokenRequest, TokenRequestError, type RawTokenRequest } from './request.ts';
import { signToken, TOKEN_TTL_SECONDS, type SigningKey } from './sign.ts';

/** What the caches hold right now. */
export interface TokenServiceState {
  readonly synced: boolean;
  readonly identities: Identities;
  readonly signing: SigningKey | { readonly problem: string };
  backupsIn(repository: string): readonly BackupAccess[];
}

export interface TokenServiceConfig {
  /** `--token-issuer`: the registry's `auth.token.issuer`. */
  readonly issuer: string;
  /** `--token-service`: the registry's `auth.token.service`, the token's audience. */
  readonly service: string;
}

export interface TokenReply {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

const error = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): TokenReply => ({
  status,
  body: { errors: [{ code, message }] },
  ...(headers ? { headers } : {}),
});

const STATUS_OF_PROBLEM: Readonly<Record<TokenRequestError['problem'], number>> = {
  'too-long': 400,
  method: 405,
  path: 404,
  'grant-type': 400,
  scope: 400,
  'too-many-scopes': 400,
  authorization: 400,
};

export async function answerTokenRequest(
  raw: RawTokenRequest,
  state: TokenServiceState,
  config: TokenServiceConfig,
  o: { readonly now: number; readonly logger: Logger },
): Promise<TokenReply> {
  const request = parseTokenRequest(raw);
  if (request instanceof TokenRequestError)
    return error(STATUS_OF_PROBLEM[request.problem], 'UNSUPPORTED', request.message);
  if (request.service !== undefined && request.service !== config.service)
    return error(400, 'UNSUPPORTED', 'the token service serves another service');
  if (!state.synced) return error(503, 'UNAVAILABLE', 'the token service is starting');
  if ('problem' in state.signing) return error(503, 'UNAVAILABLE', 'the token service has no signing key');
  const identity = authenticate(request.credentials, state.identities);
  if (identity === 'refused') {
    // The user name may be a tenant's guess at another's: debug only, and never the password.
    o.logger.debug({ user: request.credentials?.username }, 'token refused: unknown credentials');
    return error(401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': 'Basic realm="lifeboat token service"',
    });
  }
  const access = decideGrant(identity, request.scopes, (r) => state.backupsIn(r));
  o.logger.debug(
    {
      identity: identity.kind,
      asked: request.scopes.length,
      granted: access.map((a) => `${a.name}:${a.actions.join(',')}`),
    },
    'token issued',
  );
  const token = await signToken(state.signing, {
    issuer: config.issuer,
    service: config.service,
    subject: identity.kind === 'anonymous' ? '' : identity.username,
    access,
    now: o.now,
  });
  return {
    status: 200,
    body: {
      token,
      access_token: token,
      expires_in: TOKEN_TTL_SECONDS,
      issued_at: new Date(o.now * 1000).toISOString(),
    },
  };
}
