// What the workload controller asks of registries before it rewrites a workload (SPEC §1.4), as a
// narrow interface: the ImageBackup side implements it with real clients and credentials
// (image-backups/registry-access.ts); tests inject faults through it.
import type { PullSecretRef } from './image-backup-schema.ts';

export interface RegistryProbe {
  /**
   * Whether the backup registry holds the manifest `digest` in `repository` (`host[:port]/path`, as in
   * an ImageBackup's `spec.target` without tag or digest): one HEAD with lifeboat's push credentials.
   * False for a 404; throws a temporary error when the registry cannot answer.
   */
  backupManifestPresent(repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Whether `source` (a normalised reference, as an ImageBackup's `spec.source`) can be read (one
   * manifest HEAD) with the given Secrets of ONE namespace, tried in order as the kubelet tries them,
   * or anonymously: what a pod of that namespace could pull. `--source-credentials` is not used here.
   * False when every login is refused (401/403/404); throws a temporary error when the registry
   * cannot answer.
   */
  sourceReadable(
    source: string,
    pullSecretRefs: readonly PullSecretRef[],
    signal?: AbortSignal,
  ): Promise<boolean>;
}
