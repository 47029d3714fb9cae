// Docker `config.json` (`auths` section) read in one place, for both of its uses:
//  - the keychain of `lifeboat copy` (`--authfile`, `$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG`): lenient, as
//    docker is with a config.json (no `auths`, e.g. only `credsStore`, means anonymous);
//  - the `.dockerconfigjson` of a Kubernetes pull Secret (pull-secret.ts): strict, as the kubelet is.
// Each entry gives `auth` (base64 `user:pass`), explicit `username`/`password`, or `identitytoken`.
// Keys come in many spellings for the same registry (`https://index.docker.io/v1/`, `index.docker.io`,
// `docker.io`, `http://host:5000`, `host:5000/v2/`). Credential helpers are not run. Messages name an
// entry by its key (a registry host), never by its values.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ANONYMOUS, CredentialsParseError, type Credentials, type Keychain } from './credentials.ts';

/** Host names that all mean Docker Hub; `docker.io` is the canonical one. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
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

/** One usable entry of `auths`: its key as written and what it authenticates with. */
export interface DockerConfigEntry {
  readonly key: string;
  readonly credentials: Credentials;
}

export interface ReadEntriesOptions {
  /**
   * Strict (a pull Secret): a document that is not an object, has no `auths` object, or has an entry
   * that is not an object or has fields of the wrong type is refused. Lenient (a config.json): those
   * are read as "no credentials". A bad `auth` is refused in both modes: it is certainly a mistake.
   */
  readonly strict: boolean;
  /** Builds the error for a problem; `problem` names at most an entry's key. */
  readonly fail: (problem: string) => Error;
}

/** Standard base64 with padding, as Go's `base64.StdEncoding` (docker, the kubelet) requires. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A field that must be a string when present (strict), or is ignored when it is not (lenient). */
function stringField(
  entry: Record<string, unknown>,
  field: string,
  where: string,
  options: ReadEntriesOptions,
): string {
  const value = entry[field];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (options.strict) throw options.fail(`${where}: "${field}" is not a string`);
  return '';
}

function entryCredentials(
  key: string,
  entry: Record<string, unknown>,
  options: ReadEntriesOptions,
): Credentials | undefined {
  const where = `entry ${JSON.stringify(key)}`;
  const identity = stringField(entry, 'identitytoken', where, options);
  let username = stringField(entry, 'username', where, options);
  let password = stringField(entry, 'password', where, options);
  const auth = stringField(entry, 'auth', where, options);
  if (auth !== '') {
    if (!BASE64.test(auth)) throw options.fail(`${where}: "auth" is not base64`);
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw options.fail(`${where}: invalid "auth" (not base64 of user:password)`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (identity !== '') return { kind: 'identityToken', token: identity, username: username || undefined };
  if (username !== '' || password !== '') return { kind: 'basic', username, password };
  return undefined;
}

/** The usable entries of a parsed docker config, in document order; entries without credentials are skipped. */
export function readDockerConfigEntries(config: unknown, options: ReadEntriesOptions): DockerConfigEntry[] {
  const auths = isObject(config) ? config['auths'] : undefined;
  if (!isObject(auths)) {
    if (!options.strict) return [];
    throw options.fail(isObject(config) ? 'has no "auths" object' : 'is not a JSON object');
  }
  const entries: DockerConfigEntry[] = [];
  for (const [key, entry] of Object.entries(auths)) {
    if (!isObject(entry)) {
      if (options.strict) throw options.fail(`entry ${JSON.stringify(key)} is not an object`);
      continue;
    }
    const credentials = entryCredentials(key, entry, options);
    if (credentials !== undefined) entries.push({ key, credentials });
  }
  return entries;
}

/**
 * Builds a keychain from a parsed `config.json`. Unknown registries resolve to anonymous. When two
 * keys normalise to the same host, the more specific spelling (exact host) wins over URL forms.
 */
export function dockerConfigKeychain(config: unknown): Keychain {
  const byHost = new Map<string, { credentials: Credentials; exact: boolean }>();
  const entries = readDockerConfigEntries(config, {
    strict: false,
    fail: (problem) => new CredentialsParseError(`docker config ${problem}`),
  });
  for (const { key, credentials } of entries) {
    const host = normalizeRegistryKey(key);
    const exact = key.toLowerCase() === host;
    const existing = byHost.get(host);
    if (existing === undefined || (exact && !existing.exact)) byHost.set(host, { credentials, exact });
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
    // JSON.parse's message quotes the text around the fault: it may be a secret.
    throw new CredentialsParseError(`auth file ${path} is not valid JSON`);
  }
  return dockerConfigKeychain(parsed);
}

export interface DefaultAuthFileOptions {
  /** An explicit file (`--authfile`); it must exist. */
  readonly authfile?: string | undefined;
  /** The environment to read `REGISTRY_AUTH_FILE` and `DOCKER_CONFIG` from. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** The home directory holding `.docker/config.json`. */
  readonly home?: string | undefined;
}

/**
 * The keychain a command-line tool uses, found as skopeo and docker find it: the explicit file, else
 * `$REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json` or `~/.docker/config.json` when it exists
 * (undefined when there is none: every registry is then anonymous).
 */
export async function loadDefaultKeychain(
  options: DefaultAuthFileOptions = {},
): Promise<Keychain | undefined> {
  const env = options.env ?? process.env;
  const explicit = options.authfile ?? env['REGISTRY_AUTH_FILE'];
  if (explicit !== undefined && explicit !== '') return loadDockerConfigKeychain(explicit);
  // Set but empty means unset, as in docker.
  const dockerConfig = env['DOCKER_CONFIG'] || join(options.home ?? homedir(), '.docker');
  const fallback = join(dockerConfig, 'config.json');
  return existsSync(fallback) ? loadDockerConfigKeychain(fallback) : undefined;
}
