// One ImageBackup as the IMAGEBACKUPS table of `lifeboat status` shows it: its spec and status
// flattened, nothing computed that the ImageBackup controller did not write (the source state is
// its source check's condition and digests, read as source-state.ts says).
import type { ImageBackup, ImageBackupPhase } from '../api/image-backup-schema.ts';
import { sourceState, statusText, type SourceState } from './source-state.ts';

export interface BackupStatus {
  readonly name: string;
  readonly source: string;
  readonly target: string;
  /** `Pending` until the ImageBackup controller first writes a status. */
  readonly phase: ImageBackupPhase;
  /** What the last source check found (source-state.ts); `unchecked` before the first. */
  readonly sourceState: SourceState;
  /** When the source was last checked (RFC 3339), when it was. */
  readonly sourceCheckedAt?: string;
  /** The digest the source served at that check, when known. */
  readonly sourceLatestDigest?: string;
  /** The controller's progress text ("12/30 blobs, 40%"). */
  readonly progress?: string;
  readonly bytesTotal?: number;
  readonly bytesDone?: number;
  readonly blobsTotal?: number;
  readonly blobsDone?: number;
  /** The digest of the copy's top manifest in the backup registry (what rewrites pin). */
  readonly targetDigest?: string;
  /** The source needed credentials to read. */
  readonly private?: boolean;
  readonly attempts?: number;
  /** The last copy's failure (names registry, digest or media type; never a secret). */
  readonly lastError?: string;
  /** `metadata.creationTimestamp` (RFC 3339): the AGE column's origin. */
  readonly createdAt?: string;
  /** Workloads (`Kind/namespace/name`) whose status names this backup, sorted. */
  readonly usedBy: readonly string[];
}

/** Undefined fields are left out, so equal objects give equal JSON. */
export function backupStatus(backup: ImageBackup, usedBy: readonly string[]): BackupStatus {
  const s = backup.status ?? {};
  const created = (backup.metadata as { creationTimestamp?: unknown }).creationTimestamp;
  const optional = {
    progress: s.progress,
    bytesTotal: s.bytesTotal,
    bytesDone: s.bytesDone,
    blobsTotal: s.blobsTotal,
    blobsDone: s.blobsDone,
    targetDigest: s.targetDigest,
    private: s.private,
    attempts: s.attempts,
    lastError: s.lastError,
    createdAt: typeof created === 'string' ? created : undefined,
    sourceCheckedAt: statusText(backup, 'sourceCheckedAt'),
    sourceLatestDigest: statusText(backup, 'sourceLatestDigest'),
  };
  return {
    name: backup.metadata.name,
    source: backup.spec.source,
    target: backup.spec.target,
    phase: s.phase ?? 'Pending',
    sourceState: sourceState(backup),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    usedBy: [...usedBy].sort(),
  };
}
