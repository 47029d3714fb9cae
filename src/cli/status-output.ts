// What `lifeboat status` prints: the report as kubectl prints tables (upper-case headers, columns
// padded to the widest cell plus three spaces, as kubectl's tabwriter does, `<none>` for an empty
// cell, AGE as kubectl's), or as one JSON document. Pure: the command writes the string.
import { formatBytes } from '../common/format-bytes.ts';
import { humanDuration } from '../common/human-duration.ts';
import type { BackupStatus, ImageStatus, StatusReport, WorkloadStatus } from '../controllers/status/index.ts';

/** kubectl's tabwriter: cells padded by 3, every column at least 6 wide; the last is not padded. */
const PADDING = 3;
const MIN_WIDTH = 6;
const NONE = '<none>';

export interface TableOptions {
  /** `-o wide`: the extra columns. */
  readonly wide: boolean;
  /** Epoch ms the ages are counted to. */
  readonly now: number;
}

/** Rows of cells → aligned lines; a cell's line breaks become spaces. */
export function alignTable(rows: readonly (readonly string[])[]): string {
  const clean = rows.map((row) =>
    row.map((cell) => (cell.trim() === '' ? NONE : cell.replace(/\s*\n\s*/g, ' '))),
  );
  const widths: number[] = [];
  for (const row of clean)
    row.forEach(
      (cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.max(MIN_WIDTH, cell.length + PADDING))),
    );
  return clean
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(''))
    .join('\n');
}

function age(createdAt: string | undefined, now: number): string {
  const ms = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(now - ms);
}

function backupRow(b: BackupStatus, o: TableOptions): string[] {
  const row = [
    b.name,
    b.source,
    b.phase,
    b.sourceState,
    b.progress ?? NONE,
    b.bytesTotal === undefined ? NONE : formatBytes(b.bytesTotal),
    age(b.createdAt, o.now),
  ];
  if (!o.wide) return row;
  return [
    ...row,
    b.target,
    b.targetDigest ?? NONE,
    b.private === undefined ? NONE : String(b.private),
    String(b.attempts ?? 0),
    b.lastError ?? NONE,
    b.sourceCheckedAt === undefined ? NONE : age(b.sourceCheckedAt, o.now),
  ];
}

/** The image a container comes from, and its backup: `-` for one that is not backed up. */
function sourceOf(i: ImageStatus): string {
  return i.action === 'on-backup' ? (i.original ?? i.image) : i.image;
}
function backupOf(i: ImageStatus): string {
  if (i.action === 'on-backup') return i.image;
  return i.action === 'backup' ? (i.target ?? '-') : '-';
}

function workloadRow(w: WorkloadStatus, o: TableOptions): string[] {
  const row = [w.namespace, `${w.kind.toLowerCase()}/${w.name}`, w.state, w.reason];
  if (!o.wide) return row;
  return [...row, w.images.map(sourceOf).join(',') || NONE, w.images.map(backupOf).join(',') || NONE];
}

/** The two tables, ImageBackups then workloads, a blank line between them; ends with a newline. */
export function statusTables(report: StatusReport, o: TableOptions): string {
  const backups =
    report.imageBackups.length === 0
      ? 'No ImageBackups found.'
      : alignTable([
          ['NAME', 'SOURCE', 'PHASE', 'SOURCE-STATE', 'PROGRESS', 'SIZE', 'AGE'].concat(
            o.wide ? ['TARGET', 'DIGEST', 'PRIVATE', 'ATTEMPTS', 'LAST-ERROR', 'SOURCE-CHECKED'] : [],
          ),
          ...report.imageBackups.map((b) => backupRow(b, o)),
        ]);
  const workloads =
    report.workloads.length === 0
      ? 'No workloads found.'
      : alignTable([
          ['NAMESPACE', 'KIND/NAME', 'STATE', 'REASON'].concat(o.wide ? ['IMAGES', 'BACKUPS'] : []),
          ...report.workloads.map((w) => workloadRow(w, o)),
        ]);
  return `${backups}\n\n${workloads}\n`;
}

/**
 * `-o json`: `{imageBackups, workloads}` with the rows' fields as they are (no ages: the document
 * depends on the cluster alone). Fields without a value are left out, never null.
 */
export function statusJson(report: StatusReport): string {
  return `${JSON.stringify({ imageBackups: report.imageBackups, workloads: report.workloads }, null, 2)}\n`;
}
