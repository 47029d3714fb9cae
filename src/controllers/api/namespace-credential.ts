/**
 * The per-namespace credential of `--private-images=isolated` (issue 16): each namespace's
 * `lifeboat-pull` copy holds user `lifeboat-ns-<namespace>` with a password derived from the
 * namespace under one key, so the token service (src/controllers/registry-tokens) can verify any
 * namespace's password and the pull-secret controller can write any namespace's copy without a
 * single per-namespace object stored anywhere. Replacing the key's data rotates every password.
 *
 * Shared by two controllers that never import each other, hence here in api/.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, type SecretObject } from './core-objects.ts';

/** The Secret in lifeboat's namespace whose `key` holds the HMAC key (created by lifeboat when absent). */
export const PULL_KEY_SECRET_NAME = 'lifeboat-pull-key';
export const PULL_KEY_DATA_KEY = 'key';
/** Key length created by lifeboat; a shorter key (an operator's) is refused: it would be guessable. */
export const PULL_KEY_BYTES = 32;
export const MIN_PULL_KEY_BYTES = 16;

const USER_PREFIX = 'lifeboat-ns-';

/** The user name a namespace's copy presents. */
export const namespaceUser = (namespace: string): string => `${USER_PREFIX}${namespace}`;

/** The namespace a user name claims, or undefined when it is not a namespace user (the name is not verified here). */
export function namespaceOfUser(user: string): string | undefined {
  if (!user.startsWith(USER_PREFIX)) return undefined;
  const ns = user.slice(USER_PREFIX.length);
  // A DNS-1123 label, as every namespace name is: anything else cannot be a namespace's user.
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns) ? ns : undefined;
}

/** base64url(HMAC-SHA256(key, namespace)): the namespace's password under `key`. */
export function namespacePassword(key: Uint8Array, namespace: string): string {
  return createHmac('sha256', key).update(namespace, 'utf8').digest('base64url');
}

/** Whether `password` is `namespace`'s under `key`, compared in constant time. */
export function verifyNamespacePassword(key: Uint8Array, namespace: string, password: string): boolean {
  const expected = Buffer.from(namespacePassword(key, namespace), 'utf8');
  const given = Buffer.from(password, 'utf8');
  // Lengths differ only for a wrong password; the expected length is public (43 characters).
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The key the Secret holds, or a reason it holds none usable (never the data itself). */
export function pullKeyOf(secret: SecretObject | undefined): Buffer | { readonly problem: string } {
  if (!secret) return { problem: `Secret ${PULL_KEY_SECRET_NAME} not found` };
  const encoded = secret.data?.[PULL_KEY_DATA_KEY];
  if (!encoded) return { problem: `Secret ${PULL_KEY_SECRET_NAME} has no ${PULL_KEY_DATA_KEY} key` };
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_PULL_KEY_BYTES)
    return {
      problem: `Secret ${PULL_KEY_SECRET_NAME}: ${PULL_KEY_DATA_KEY} is shorter than ${MIN_PULL_KEY_BYTES} bytes`,
    };
  return key;
}

/** The `lifeboat-pull` content for `namespace`: a docker config with its own credential for `registryHost`. */
export function namespacePullSecretContent(
  key: Uint8Array,
  namespace: string,
  registryHost: string,
): { readonly type: string; readonly data: Readonly<Record<string, string>> } {
  const username = namespaceUser(namespace);
  const password = namespacePassword(key, namespace);
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const config = { auths: { [registryHost]: { username, password, auth } } };
  return {
    type: DOCKER_CONFIG_JSON_TYPE,
    data: { [DOCKER_CONFIG_JSON_KEY]: Buffer.from(JSON.stringify(config)).toString('base64') },
  };
}
