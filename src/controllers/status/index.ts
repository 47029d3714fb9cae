// `lifeboat status`'s decisions: pure functions from listed objects to the rows it prints.
export { statusReport } from './report.ts';
export type { StatusInput, StatusReport } from './report.ts';
export { WORKLOAD_STATES, workloadStatus } from './workload-status.ts';
export type {
  ImageStatus,
  StatusWorkload,
  WorkloadState,
  WorkloadStatus,
  WorkloadStatusInput,
} from './workload-status.ts';
export { backupStatus } from './backup-status.ts';
export type { BackupStatus } from './backup-status.ts';
export { latestWorkloadEvents } from './latest-events.ts';
export type { EventLike, WorkloadEvent } from './latest-events.ts';
export { SOURCE_STATES, sourceState } from './source-state.ts';
export { podsOf, runsFromBackups } from './workload-pods.ts';
export type { PodSummary } from './workload-pods.ts';
export type { SourceState } from './source-state.ts';
