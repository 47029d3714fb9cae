/**
 * The `reason` of every Event lifeboat records (SPEC §1.6, issues 8 and 9), in one place so that
 * docs, tests and `kubectl events --for …` filters cannot drift from the code.
 */
export const EventReasons = Object.freeze({
  /** An ImageBackup began copying its image to the backup registry. */
  BackupStarted: 'BackupStarted',
  /** An ImageBackup's image is in the backup registry with the source's digest. */
  BackupReady: 'BackupReady',
  /** An ImageBackup's copy failed (the note names the registry, digest or media type); retried with backoff. */
  BackupFailed: 'BackupFailed',
  /** A backup that was Ready is damaged in the backup registry and its source cannot repair it (the note names what is missing); phase Degraded, rechecked with backoff. */
  BackupDamaged: 'BackupDamaged',
  /** A Ready backup's source reference is no longer served (not found, every login refused, or unreachable); the backup stays Ready. */
  SourceGone: 'SourceGone',
  /** A Ready backup's source tag moved: the note names the digest it served and the one it serves now. */
  SourceChanged: 'SourceChanged',
  /** A Ready backup's source reference is served again after it was gone. */
  SourceBack: 'SourceBack',
  /** A workload's images were rewritten to their copies in the backup registry. */
  ImagesMovedToBackup: 'ImagesMovedToBackup',
  /** A workload's images changed between lifeboat's read and its guarded patch; retried on fresh state. */
  RewriteConflict: 'RewriteConflict',
  /** Another writer (GitOps) put a rewritten workload's original images back; lifeboat leaves it so. */
  RewriteReverted: 'RewriteReverted',
  /** A private backup's source cannot be read with this namespace's credentials; the workload is left as it was. */
  BackupAccessDenied: 'BackupAccessDenied',
  /** `--private-images=skip`: a workload's source refused an anonymous HEAD; nothing is backed up and the workload is left as it was. */
  PrivateSourceSkipped: 'PrivateSourceSkipped',
  /** A Secret with the pull-secret name exists in a namespace and lifeboat does not own it; left untouched. */
  PullSecretConflict: 'PullSecretConflict',
  /** The backup pull secret is missing, of the wrong type, or not valid dockerconfigjson; nothing is changed. */
  PullSecretSourceInvalid: 'PullSecretSourceInvalid',
  /** A workload references an image that does not parse; that workload is skipped. */
  InvalidImageReference: 'InvalidImageReference',
  /** `--dry-run`: an image of this workload would be copied to the backup registry (nothing is written). */
  WouldBackUp: 'WouldBackUp',
  /** `--dry-run`: this workload's images would be rewritten to their copies (nothing is written). */
  WouldRewrite: 'WouldRewrite',
});

export type EventReason = (typeof EventReasons)[keyof typeof EventReasons];
