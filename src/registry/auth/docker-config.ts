// A keychain over a docker `config.json` (`auths` section): `auth` (base64 user:pass), explicit
// `username`/`password`, and `identitytoken`. Keys come in many spellings for the same registry
// (`https://index.docker.io/v1/`, `index.docker.io`, `docker.io`, `http://host:5000`, `host:5000/v2/`);
// they are all normalised to a bare host so a lookup finds them. Credential helpers are not run.
import { readFile } from 'node:fs/promises';
import { ANONYMOUS, CredentialsParseError, type Credentials, type Keychain } from './credentials.ts';

/** Host names that all mean Docker Hub; `docker.io` is the canonical one. */
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** Normalises a config key or a registry host to the bare, lower-case host[:port] used for lookups. */
export function normalizeRegistryKey(key: string): string {
  let host = key.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

interface AuthEntry {
  readonly auth?: unknown;
  readonly username?: unknown;
  readonly password?: unknown;
  readonly identitytoken?: unknown;
}

function entryCredentials(key: string, entry: AuthEntry): Credentials | undefined {
  const identity = typeof entry.identitytoken === 'string' ? entry.identitytoken : '';
  let username = typeof entry.username === 'string' ? entry.username : '';
  let password = typeof entry.password === 'string' ? entry.password : '';
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The message names the key only: the entry is a secret.
    if (colon < 0)
      throw new CredentialsParseError(`docker config entry ${JSON.stringify(key)}: invalid "auth"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (identity !== '') return { kind: 'identityToken', token: identity, username: username || undefined };
  if (username !== '' || password !== '') return { kind: 'basic', username, password };
  return undefined;
}

/**
 * Builds a keychain from a parsed `config.json`. Unknown registries resolve to anonymous. When two
 * keys normalise to the same host, the more specific spelling (exact host) wins over URL forms.
 */
export function dockerConfigKeychain(config: unknown): Keychain {
  const auths = (config as { auths?: unknown } | null)?.auths;
  const byHost = new Map<string, { credentials: Credentials; exact: boolean }>();
  if (auths !== null && typeof auths === 'object') {
    for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
      if (entry === null || typeof entry !== 'object') continue;
      const credentials = entryCredentials(key, entry);
      if (credentials === undefined) continue;
      const host = normalizeRegistryKey(key);
      const exact = key.toLowerCase() === host;
      const existing = byHost.get(host);
      if (existing === undefined || (exact && !existing.exact)) byHost.set(host, { credentials, exact });
    }
  }
  return {
    resolve: (registry) => byHost.get(normalizeRegistryKey(registry))?.credentials ?? ANONYMOUS,
  };
}

/** Reads and parses a docker `config.json` (`--authfile`). */
export async function loadDockerConfigKeychain(path: string): Promise<Keychain> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CredentialsParseError(`cannot read auth file ${path}: ${(cause as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsParseError(`auth file ${path} is not valid JSON`);
  }
  return dockerConfigKeychain(parsed);
}
