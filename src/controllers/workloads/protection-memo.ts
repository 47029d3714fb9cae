// `lifeboat_workloads{protection}` decides every cached workload at each scrape; at 10,000 workloads
// that is a second of CPU every scrape interval for verdicts that have not changed. A verdict is kept
// while everything it was decided from is the very same cached object: the workload (the key, held
// weakly: an updated or deleted workload drops its entry), its namespace, each ImageBackup the
// decision looked up (or its absence), and whether the pull secret is there. Informer caches never
// mutate an object (they replace it), so identity is change detection; a relist that replaces equal
// objects only costs one more decision. The decision is pure: same inputs, same verdict.
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { decideWorkload, type DecisionOptions, type WorkloadSnapshot } from './decide.ts';
import { workloadProtection, type Protection } from './protection.ts';

interface Entry {
  readonly namespace: object;
  readonly pullSecretPresent: boolean;
  /** Every ImageBackup name the decision looked up, with what the cache held then. */
  readonly read: ReadonlyMap<string, ImageBackup | undefined>;
  readonly protection: Protection;
}

export type ProtectionOf = (snapshot: WorkloadSnapshot) => Protection;

export function createProtectionMemo(options: DecisionOptions): ProtectionOf {
  const memo = new WeakMap<object, Entry>();
  return (snapshot) => {
    const hit = memo.get(snapshot.workload);
    if (
      hit !== undefined &&
      hit.namespace === snapshot.namespace &&
      hit.pullSecretPresent === snapshot.pullSecretPresent &&
      [...hit.read].every(([name, backup]) => snapshot.backups.get(name) === backup)
    )
      return hit.protection;
    const read = new Map<string, ImageBackup | undefined>();
    const recorded: WorkloadSnapshot = {
      ...snapshot,
      backups: {
        get(name) {
          const backup = snapshot.backups.get(name);
          read.set(name, backup);
          return backup;
        },
      },
    };
    const protection = workloadProtection(decideWorkload(recorded, options), recorded);
    memo.set(snapshot.workload, {
      namespace: snapshot.namespace,
      pullSecretPresent: snapshot.pullSecretPresent,
      read,
      protection,
    });
    return protection;
  };
}
