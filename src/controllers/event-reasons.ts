/** Every Event reason lifeboat records, in one place (SPEC §1.6). Operators alert on these names. */
export const EVENT_REASONS = Object.freeze({
  /** A copy into the backup registry began. */
  BackupStarted: 'BackupStarted',
  /** The backup holds the source's manifest and everything under it. */
  BackupReady: 'BackupReady',
  /** A copy failed; the note names the registry, repository and cause. */
  BackupFailed: 'BackupFailed',
  /** A workload now runs from the backup registry. */
  ImagesMovedToBackup: 'ImagesMovedToBackup',
  /** The workload changed between read and patch; planned again on fresh state. */
  RewriteConflict: 'RewriteConflict',
  /** Another writer put the original images back; lifeboat leaves the workload as it is. */
  RewriteReverted: 'RewriteReverted',
  /** The namespace's own credentials cannot read a private source; the workload is left alone. */
  BackupAccessDenied: 'BackupAccessDenied',
  /** A Secret named like the pull-secret copy exists and lifeboat does not own it. */
  PullSecretConflict: 'PullSecretConflict',
  /** `--backup-pull-secret` is missing or not a usable dockerconfigjson Secret. */
  PullSecretSourceInvalid: 'PullSecretSourceInvalid',
  /** A workload's image reference does not parse; that workload is skipped. */
  InvalidImageReference: 'InvalidImageReference',
});
