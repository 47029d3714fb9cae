/**
 * Removes exactly what pull-secret distribution added to one namespace: its copy (only when it
 * carries lifeboat's label, and only that incarnation: the delete is preconditioned on its uid)
 * and its entries in service accounts (only those lifeboat's annotation vouches for). Used when a
 * namespace becomes excluded and by `lifeboat uninstall`.
 */
import type { ResourceClient } from '../../kube/index.ts';
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { isOwnedByLifeboat, planServiceAccountRemove } from './plan.ts';

export interface RemoveInput {
  secrets: ResourceClient<SecretObject>;
  accounts: ResourceClient<ServiceAccountObject>;
  secretName: string;
  /** The Secret of that name in the namespace, if any. */
  copy: SecretObject | undefined;
  /** The namespace's service accounts. */
  serviceAccounts: readonly ServiceAccountObject[];
  signal?: AbortSignal;
}

/** Resolves `true` when something was removed. */
export async function removeFromNamespace(input: RemoveInput): Promise<boolean> {
  let removed = false;
  for (const sa of input.serviceAccounts) {
    const ops = planServiceAccountRemove(sa, input.secretName);
    if (!ops) continue;
    await input.accounts.jsonPatch(sa.metadata.name, ops, {
      namespace: sa.metadata.namespace,
      signal: input.signal,
    });
    removed = true;
  }
  if (input.copy && isOwnedByLifeboat(input.copy)) {
    await input.secrets.delete(input.copy.metadata.name, {
      namespace: input.copy.metadata.namespace,
      ...(input.copy.metadata.uid ? { preconditions: { uid: input.copy.metadata.uid } } : {}),
      signal: input.signal,
    });
    removed = true;
  }
  return removed;
}
