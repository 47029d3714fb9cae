/**
 * The token service's decisions, pure so that every rule is a table test: who presented which
 * credentials (`authenticate`), and what they may do on each repository asked for (`decideGrant`).
 *
 * Invariants:
 * - `push` (and pull everywhere) only to lifeboat's own identity, the backup push Secret's user.
 * - `pull` on a repository to namespace user `lifeboat-ns-<ns>` (its password verified in constant
 *   time) only when the repository holds at least one backup and every backup in it is public or
 *   lists `<ns>` among its readers: one private backup the namespace may not read closes the whole
 *   repository (tokens are per repository, not per tag).
 * - Nothing to anonymous or unknown users, nothing on any other resource type or action.
 * - A wrong password is refused outright (401), never answered with an empty token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parse } from '../../reference/index.ts';
import { namespaceOfUser, verifyNamespacePassword } from '../api/namespace-credential.ts';
import type { Scope, TokenRequest } from './request.ts';

/** What the caches say about the identities the service knows. */
export interface Identities {
  /** The key namespace passwords are derived under; undefined: no namespace can authenticate. */
  readonly pullKey: Uint8Array | undefined;
  /** lifeboat's own credentials for the backup registry (the push Secret); undefined: none. */
  readonly pusher: { readonly username: string; readonly password: string } | undefined;
}

export type Identity =
  | { readonly kind: 'lifeboat'; readonly username: string }
  | { readonly kind: 'namespace'; readonly namespace: string; readonly username: string }
  | { readonly kind: 'anonymous' };

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Who presented `credentials`; `refused` when they match no identity (answered 401). */
export function authenticate(
  credentials: TokenRequest['credentials'],
  ids: Identities,
): Identity | 'refused' {
  if (!credentials) return { kind: 'anonymous' };
  const { username, password } = credentials;
  if (ids.pusher && username === ids.pusher.username)
    return sameSecret(password, ids.pusher.password) ? { kind: 'lifeboat', username } : 'refused';
  const namespace = namespaceOfUser(username);
  if (namespace !== undefined && ids.pullKey && verifyNamespacePassword(ids.pullKey, namespace, password))
    return { kind: 'namespace', namespace, username };
  return 'refused';
}

/** What the token service needs of one ImageBackup whose target is in a repository. */
export interface BackupAccess {
  readonly private: boolean;
  readonly readers: readonly string[];
}

/** One entry of the token's `access` claim, as distribution reads it. */
export interface Access {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** Whether `namespace` may pull from a repository holding `backups`. */
export function mayPull(namespace: string, backups: readonly BackupAccess[]): boolean {
  return backups.length > 0 && backups.every((b) => !b.private || b.readers.includes(namespace));
}

const LIFEBOAT_ACTIONS: ReadonlySet<string> = new Set(['pull', 'push']);

/** The actions `identity` gets on `scope` (empty: none). */
function actionsFor(
  identity: Identity,
  scope: Scope,
  backupsIn: (repository: string) => readonly BackupAccess[],
): string[] {
  if (scope.type !== 'repository') return [];
  switch (identity.kind) {
    case 'anonymous':
      return [];
    case 'lifeboat':
      return scope.actions.filter((a) => LIFEBOAT_ACTIONS.has(a));
    case 'namespace':
      return scope.actions.includes('pull') && mayPull(identity.namespace, backupsIn(scope.name))
        ? ['pull']
        : [];
  }
}

/** The `access` claim for `identity` asking for `scopes`: only what is granted, nothing empty. */
export function decideGrant(
  identity: Identity,
  scopes: readonly Scope[],
  backupsIn: (repository: string) => readonly BackupAccess[],
): Access[] {
  const access: Access[] = [];
  for (const scope of scopes) {
    const actions = actionsFor(identity, scope, backupsIn);
    if (actions.length > 0) access.push({ type: scope.type, name: scope.name, actions });
  }
  return access;
}

/**
 * The repository (path on the backup registry) an ImageBackup's `spec.target` is in, or undefined
 * when the target is not on `backupHost` or cannot be read (such a backup grants nothing).
 */
export function repositoryOfTarget(target: string, backupHost: string): string | undefined {
  try {
    const ref = parse(target);
    return ref.domain === backupHost ? ref.path : undefined;
  } catch {
    return undefined;
  }
}
