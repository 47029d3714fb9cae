// What a client authenticates with. Credentials are plain data; they never reach a log line or an
// error message (`describeCredentials` is the only textual form, and it names no secret nor user).
import { LifeboatError } from '../../common/errors.ts';

export type Credentials =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (docker `identitytoken`), exchanged at the realm with a POST form. */
  | { readonly kind: 'identityToken'; readonly token: string; readonly username?: string | undefined };

export const ANONYMOUS: Credentials = Object.freeze({ kind: 'anonymous' });

/** Looks up the credentials for a registry host (`docker.io`, `127.0.0.1:5000`). */
export interface Keychain {
  resolve(registry: string): Credentials;
}

export class CredentialsParseError extends LifeboatError {
  readonly code = 'CREDENTIALS_INVALID';
  /** A malformed flag or config file reads the same on every try: only the user can fix it. */
  readonly temporary = false;
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsParseError';
  }
}

/**
 * Parses `USER:PASS` as skopeo's `--src-creds` does: split at the first colon, so passwords may
 * contain colons. `USER` alone is refused (we never prompt). The message never repeats the input.
 */
export function parseCredentialsFlag(value: string, flag = '--creds'): Credentials {
  const colon = value.indexOf(':');
  if (colon < 0) throw new CredentialsParseError(`${flag} must be USER:PASSWORD`);
  const username = value.slice(0, colon);
  const password = value.slice(colon + 1);
  if (username === '') throw new CredentialsParseError(`${flag} has an empty user name`);
  if (password === '') throw new CredentialsParseError(`${flag} has an empty password`);
  return { kind: 'basic', username, password };
}

/**
 * What kind of login was refused, for error messages: "user and password", "identity token",
 * "anonymous". No secret, and no user name either: these messages reach an ImageBackup's status and
 * its Events, which every tenant may read, and a registry user name tells an attacker whom to try.
 */
export function describeCredentials(credentials: Credentials): string {
  switch (credentials.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'basic':
      return 'user and password';
    case 'identityToken':
      return 'identity token';
  }
}

/** `Basic base64(user:pass)` for a Basic challenge or a token GET. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
