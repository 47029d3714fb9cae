/**
 * The token request parser (Docker Registry v2 token authentication, distribution's
 * `docs/spec/auth/token.md` and `oauth.md`): what a registry client sends to the realm, read into a
 * `TokenRequest`, or a `TokenRequestError` saying what is wrong. Pure, and total over its input:
 * any strings yield one of the two (never an untyped throw), and every loop is bounded by the caps
 * below, so a hostile request costs at most a few kilobytes of work (fuzzed in request.test.ts).
 *
 * Two forms reach the realm:
 * - GET `?service=…&scope=repository:<name>:pull,push&…` with Basic credentials (crane, lifeboat);
 * - POST form `grant_type=password&username=…&password=…&scope=<space-separated>&service=…`
 *   (containerd, i.e. the kubelet's pulls, tries this first).
 */
import { LifeboatError } from '../../common/errors.ts';

/** Longer requests are refused: real ones are a few hundred bytes. */
export const MAX_REQUEST_CHARS = 8192;
/** Scopes in one request; clients ask for one or two (a mount adds the source repository). */
export const MAX_SCOPES = 16;
/** Actions in one scope (pull, push, delete, *). */
export const MAX_ACTIONS = 8;
/** distribution's limit on a repository name. */
const MAX_NAME_CHARS = 255;

/** `repository:<name>:<actions>` and the other resource types the spec allows. */
export interface Scope {
  /** `repository`, `registry`, …; a resource class (`repository(plugin)`) is kept in it, and never granted. */
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

export interface TokenRequest {
  /** The `service` asked for (absent: the client did not say). */
  readonly service: string | undefined;
  readonly scopes: readonly Scope[];
  /** Credentials presented; none: anonymous. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** POST (OAuth2 form) or GET: the reply's shape differs slightly. */
  readonly form: 'get' | 'oauth';
}

export type TokenRequestProblem =
  'too-long' | 'method' | 'path' | 'grant-type' | 'scope' | 'too-many-scopes' | 'authorization';

/** The request cannot be read: answered 400 (or 405/404), never with a token. */
export class TokenRequestError extends LifeboatError {
  readonly code = 'TOKEN_REQUEST_INVALID';
  readonly temporary = false;
  readonly problem: TokenRequestProblem;
  constructor(problem: TokenRequestProblem, message: string) {
    super(message);
    this.name = 'TokenRequestError';
    this.problem = problem;
  }
}

/** What the HTTP layer hands over: all strings, as received. */
export interface RawTokenRequest {
  readonly method: string;
  /** Path and query, as in `req.url`. */
  readonly url: string;
  readonly authorization?: string | undefined;
  /** The form body of a POST (already capped by the server). */
  readonly body?: string | undefined;
}

const TYPE = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/;
// distribution's repository-name grammar: path components of lowercase alphanumerics joined by
// separators that are never alphanumeric, so matching is linear.
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const ACTION = /^(?:[a-z]+|\*)$/;

/** Reads one scope; `undefined` when it does not follow `type:name:action[,action]`. */
export function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  const type = text.slice(0, first);
  const name = text.slice(first + 1, last);
  const actionText = text.slice(last + 1);
  if (!TYPE.test(type) || name.length > MAX_NAME_CHARS) return undefined;
  // Only repository names are checked against the grammar: `registry:catalog:*` is the other kind.
  if (type === 'repository' ? !NAME.test(name) : !/^[a-z0-9]+$/.test(name)) return undefined;
  const actions = actionText.split(',');
  if (actions.length > MAX_ACTIONS || !actions.every((a) => ACTION.test(a))) return undefined;
  return { type, name, actions: [...new Set(actions)] };
}

/** Basic credentials from an Authorization header (none: anonymous). */
function basicCredentials(header: string | undefined): TokenRequest['credentials'] | TokenRequestError {
  if (header === undefined || header === '') return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!match) return new TokenRequestError('authorization', 'Authorization is not Basic credentials');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return new TokenRequestError('authorization', 'Basic credentials without a password');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function scopesOf(texts: readonly string[]): Scope[] | TokenRequestError {
  const words = texts.flatMap((t) => t.split(' ')).filter((w) => w !== '');
  if (words.length > MAX_SCOPES)
    return new TokenRequestError('too-many-scopes', `more than ${MAX_SCOPES} scopes`);
  const scopes: Scope[] = [];
  for (const word of words) {
    const scope = parseScope(word);
    // The scope text is the client's: it is not echoed (it may be anything).
    if (!scope) return new TokenRequestError('scope', 'a scope is not type:name:actions');
    scopes.push(scope);
  }
  return scopes;
}

/** Reads a token request; a `TokenRequestError` says why it cannot be answered with a token. */
export function parseTokenRequest(raw: RawTokenRequest): TokenRequest | TokenRequestError {
  if (raw.url.length + (raw.body?.length ?? 0) + (raw.authorization?.length ?? 0) > MAX_REQUEST_CHARS)
    return new TokenRequestError('too-long', `the request is longer than ${MAX_REQUEST_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(raw.url, 'https://token.invalid');
  } catch {
    return new TokenRequestError('path', 'the request URL cannot be read');
  }
  if (url.pathname !== '/token') return new TokenRequestError('path', 'only /token is served');
  if (raw.method === 'GET') {
    const credentials = basicCredentials(raw.authorization);
    if (credentials instanceof TokenRequestError) return credentials;
    const scopes = scopesOf(url.searchParams.getAll('scope'));
    if (scopes instanceof TokenRequestError) return scopes;
    return { service: url.searchParams.get('service') ?? undefined, scopes, credentials, form: 'get' };
  }
  if (raw.method === 'POST') {
    const form = new URLSearchParams(raw.body ?? '');
    // Only the password grant: lifeboat issues no refresh tokens, so a refresh_token grant cannot be ours.
    if (form.get('grant_type') !== 'password')
      return new TokenRequestError('grant-type', 'only grant_type=password is supported');
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const scopes = scopesOf(form.getAll('scope'));
    if (scopes instanceof TokenRequestError) return scopes;
    return {
      service: form.get('service') ?? undefined,
      scopes,
      credentials: username === '' ? undefined : { username, password },
      form: 'oauth',
    };
  }
  return new TokenRequestError('method', 'only GET and POST are served');
}
