/**
 * The pull Secrets a copy of a private source may log in with: those of the workloads that run the
 * backed-up image (issue 14: nothing is written to an ImageBackup because one more namespace uses
 * it). Read from the caches only, when a copy or a recheck needs them:
 * - the workloads filed under the backup's name in the backup-name index (api/backup-index.ts),
 *   which the workload controller's informers of the same kinds share;
 * - for each, its pod template's `imagePullSecrets`, then its service account's, as the kubelet
 *   collects them (api/pull-secret-refs.ts); a service account not cached yet adds none.
 * Order: workloads by kind (as `kinds` lists them), namespace and name, so equal caches give equal
 * lists; repeats keep their first place. lifeboat's own pull-secret copies are among them (the
 * service accounts name them); the secret reader refuses those as source logins.
 */
import type { Indexer, KubeObject } from '../../kube/index.ts';
import { BACKUP_NAME_INDEX } from '../api/backup-index.ts';
import {
  serviceAccountNameOf,
  workloadPullSecretRefs,
  type ServiceAccountLike,
} from '../api/pull-secret-refs.ts';
import type { Workload, WorkloadKind } from '../api/workload-types.ts';
import type { SecretRef } from './secret-reader.ts';

export type WorkloadObject = KubeObject & Workload;

export interface SourceRefCaches {
  /** Per watched kind, its informer with the BACKUP_NAME_INDEX index. */
  readonly workloads: ReadonlyMap<WorkloadKind, Pick<Indexer<WorkloadObject>, 'byIndex'>>;
  /** ServiceAccounts by `namespace/name`. */
  readonly serviceAccounts: { get(key: string): ServiceAccountLike | undefined };
}

export function sourcePullSecretRefs(caches: SourceRefCaches, backupName: string): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const [kind, informer] of caches.workloads) {
    const users = informer
      .byIndex(BACKUP_NAME_INDEX, backupName)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    for (const workload of users) {
      const namespace = workload.metadata.namespace ?? '';
      const serviceAccount = caches.serviceAccounts.get(
        `${namespace}/${serviceAccountNameOf(kind, workload)}`,
      );
      for (const ref of workloadPullSecretRefs(kind, workload, namespace, serviceAccount)) {
        const key = `${ref.namespace}/${ref.name}`;
        if (!refs.has(key)) refs.set(key, { namespace: ref.namespace, name: ref.name });
      }
    }
  }
  return [...refs.values()];
}

const keyOf = (w: WorkloadObject): string => `${w.metadata.namespace ?? ''}/${w.metadata.name}`;
