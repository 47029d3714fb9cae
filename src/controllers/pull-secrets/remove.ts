/**
 * Removes exactly what pull-secret distribution added to one namespace (decide.ts's `removalOf`,
 * carried out by apply.ts): its copy (only when it carries lifeboat's label, and only that
 * incarnation: the delete is preconditioned on its uid) and its entries in service accounts (only
 * those lifeboat's annotation vouches for). For `lifeboat uninstall`; the controller does the same
 * for a namespace that becomes excluded.
 */
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { applyRemoval, type PullSecretWriters } from './apply.ts';
import { isEmptyRemoval, removalOf } from './decide.ts';

export interface RemoveInput extends PullSecretWriters {
  secretName: string;
  /** The Secret of that name in the namespace, if any. */
  copy: SecretObject | undefined;
  /** The namespace's service accounts. */
  serviceAccounts: readonly ServiceAccountObject[];
  signal?: AbortSignal;
}

/** Resolves `true` when something was removed. */
export async function removeFromNamespace(input: RemoveInput): Promise<boolean> {
  const removal = removalOf(input.copy, input.serviceAccounts, input.secretName);
  if (isEmptyRemoval(removal)) return false;
  const namespace = input.copy?.metadata.namespace ?? input.serviceAccounts[0]?.metadata.namespace ?? '';
  await applyRemoval(input, namespace, removal, input.signal);
  return true;
}
