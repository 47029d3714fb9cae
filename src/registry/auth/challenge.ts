// WWW-Authenticate parsing (RFC 9110 §11.6.1): a header may hold several challenges, each a scheme
// followed by comma-separated auth-params whose values may be quoted strings containing commas.

/** One challenge: the scheme in lower case and its parameters with lower-case names. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** What a registry asks for, reduced to what the client acts on. */
export type AuthChallenge =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly realm?: string | undefined }
  | {
      readonly kind: 'bearer';
      readonly realm: string;
      readonly service?: string | undefined;
      /** Space-separated scopes of the challenge, split. */
      readonly scopes: readonly string[];
      /** `insufficient_scope`, `invalid_token`, ... when the server said why. */
      readonly error?: string | undefined;
    };

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses every challenge in the header value(s). Unparseable trailing garbage is ignored rather than
 * thrown: a registry's odd header should degrade to "no usable challenge", not crash the copy.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseChallenges(h));
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i] ?? '')) i++;
    return header.slice(start, i);
  };
  // Lenient on purpose: some registries send unquoted realms, which contain ':' and '/'.
  const readBare = (): string => {
    const start = i;
    while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t') i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let value = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote
    return value;
  };
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const token = readToken();
    if (token === '') {
      i++; // not a token character: skip it
      continue;
    }
    skipSpace();
    if (header[i] === '=' && current !== undefined) {
      i++;
      skipSpace();
      const value = header[i] === '"' ? readQuoted() : readBare();
      current.params[token.toLowerCase()] = value;
      continue;
    }
    if (header[i] === '=' && current === undefined) {
      // A param before any scheme: not a challenge we can use.
      i++;
      readBare();
      continue;
    }
    current = { scheme: token.toLowerCase(), params: {} };
    out.push(current);
    // A token68 after the scheme (`Negotiate abc==`) is skipped so it is not read as a new scheme.
    const t68 = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?=,|$)/.exec(header.slice(i));
    if (t68 !== null) i += t68[0].length;
  }
  return out;
}

/** Splits a space-separated `scope` parameter into its scopes. */
export function splitScopes(scope: string | undefined): string[] {
  return scope === undefined ? [] : scope.split(' ').filter((s) => s !== '');
}

/**
 * Chooses the challenge the client will answer: Bearer over Basic (Bearer carries scopes), anything
 * else unsupported. No challenge at all means the registry is open.
 */
export function selectChallenge(challenges: readonly Challenge[]): AuthChallenge {
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm'] !== undefined);
  if (bearer !== undefined) {
    return {
      kind: 'bearer',
      realm: bearer.params['realm'] ?? '',
      service: bearer.params['service'],
      scopes: splitScopes(bearer.params['scope']),
      error: bearer.params['error'],
    };
  }
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (basic !== undefined) return { kind: 'basic', realm: basic.params['realm'] };
  return { kind: 'none' };
}
