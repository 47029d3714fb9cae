// `lifeboat verify`'s logic: would every workload survive its sources vanishing now? The pure
// verdict (verdict.ts) and report (report.ts) from the workload controller's own decision, and the
// registry walk (check-backups.ts) that finds what of each backup is there.
export { planProtection, protectionReport } from './report.ts';
export type {
  DecidedWorkload,
  ProtectionInput,
  ProtectionPlan,
  ProtectionReport,
  ProtectionRow,
} from './report.ts';
export { backupReferences, containerVerdicts, VERDICTS } from './verdict.ts';
export type { ContainerVerdict, Verdict, VerdictInput } from './verdict.ts';
export { createBackupChecker, DEFAULT_CHECK_CONCURRENCY } from './check-backups.ts';
export type { BackupChecker, BackupCheckerOptions, WithClient } from './check-backups.ts';
export type { BackupFindings, MissingPiece, UnanchoredManifest } from './findings.ts';
export { createLimit } from './limit.ts';
export { holdClients } from './held-clients.ts';
export type { HeldClients } from './held-clients.ts';
