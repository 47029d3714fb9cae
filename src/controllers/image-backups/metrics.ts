import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { exportsObjectCounts } from '../../kube/index.ts';
import { IMAGE_BACKUP_PHASES, type ImageBackup } from '../api/image-backup-schema.ts';
import { SOURCE_STATES, sourceStateOf } from './source-check-status.ts';

/** What the ImageBackup controller counts (SPEC §1.6); a no-op without a registry. */
export interface CopyMetrics {
  /** A copy that ended with the image in the backup registry (skipped ones too). */
  copied(result: {
    readonly bytesCopied: number;
    readonly blobsCopied: number;
    readonly blobsSkipped: number;
    readonly blobsMounted: number;
    readonly seconds: number;
  }): void;
  /** A copy that failed, by error code. */
  failed(reason: string, seconds: number): void;
}

/** Copies take from milliseconds (already present) to many minutes (gigabytes over a slow link). */
const DURATION_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** `result` of `lifeboat_copy_duration_seconds`: how the attempt ended. */
export type CopyResult = 'copied' | 'failed';

/**
 * Registers the copy metrics; `lifeboat_image_backups{phase}`, `lifeboat_image_backups_source
 * {state}` and `lifeboat_image_backup_ready{backup}` are computed at scrape time from the cache
 * (`list`), so they cannot drift from the cluster, and by the leader only (every replica holds the
 * same cache: src/kube/leader-only-metrics.ts). An object without a phase counts as Pending.
 */
export function copyMetrics(registry: Registry | undefined, list: () => readonly ImageBackup[]): CopyMetrics {
  if (!registry) return { copied: () => undefined, failed: () => undefined };
  new Gauge({
    name: 'lifeboat_image_backups',
    help: 'ImageBackups by status.phase (Pending when it has none yet)',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      if (!exportsObjectCounts(registry, this)) return;
      const counts = new Map<string, number>(IMAGE_BACKUP_PHASES.map((p) => [p, 0]));
      for (const backup of list()) {
        const phase = backup.status?.phase ?? 'Pending';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) this.set({ phase }, n);
    },
  });
  new Gauge({
    name: 'lifeboat_image_backups_source',
    help: 'ImageBackups by what their last source check found: available, gone (not found or every login refused), changed (the tag serves another digest than the backup holds), unreachable; never-checked backups are not counted',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!exportsObjectCounts(registry, this)) return;
      const counts = new Map<string, number>(SOURCE_STATES.map((s) => [s, 0]));
      for (const backup of list()) {
        const state = sourceStateOf(backup.status);
        if (state !== undefined) counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'lifeboat_image_backup_ready',
    help: 'Per ImageBackup (label backup: its name), 1 while its status.phase is Ready, else 0: for alerts that name the image',
    labelNames: ['backup'],
    registers: [registry],
    collect() {
      // Reset first: a deleted ImageBackup's series must go, not stay at its last value.
      this.reset();
      if (!exportsObjectCounts(registry, this)) return;
      for (const backup of list()) {
        this.set({ backup: backup.metadata.name }, backup.status?.phase === 'Ready' ? 1 : 0);
      }
    },
  });
  const bytes = new Counter({
    name: 'lifeboat_copy_bytes_total',
    help: 'Bytes of blobs uploaded to the backup registry (not those found present or mounted)',
    registers: [registry],
  });
  const blobs = new Counter({
    name: 'lifeboat_copy_blobs_total',
    help: 'Blobs of finished copies by result: copied (uploaded), skipped (already present), mounted (from another backup repository)',
    labelNames: ['result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lifeboat_copy_duration_seconds',
    help: 'Duration of copy attempts by result: copied (the image is in the backup registry) or failed',
    labelNames: ['result'],
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'lifeboat_copy_errors_total',
    help: 'Failed copy attempts by error code',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const result of ['copied', 'skipped', 'mounted']) blobs.inc({ result }, 0);
  return {
    copied(r) {
      bytes.inc(r.bytesCopied);
      blobs.inc({ result: 'copied' }, r.blobsCopied);
      blobs.inc({ result: 'skipped' }, r.blobsSkipped);
      blobs.inc({ result: 'mounted' }, r.blobsMounted);
      duration.observe({ result: 'copied' satisfies CopyResult }, r.seconds);
    },
    failed(reason, seconds) {
      errors.inc({ reason });
      duration.observe({ result: 'failed' satisfies CopyResult }, seconds);
    },
  };
}
