// The live part of `lifeboat dev`. On a terminal: a progress bar per copy in flight, then the table
// of workloads, images and backups, redrawn in place at most every REDRAW_MS. Otherwise (a pipe, a
// file, a test): one plain line per change, so a log reads as a history.
import type { DevView, ImageRow } from './view-model.ts';

const REDRAW_MS = 250;
const BAR_WIDTH = 16;
const MIB = 1024 * 1024;

export interface LiveView {
  /** Something in the caches changed: redraw (TTY, throttled) or print what changed (plain). */
  changed(): void;
  /** Stops redrawing; the last frame stays on the terminal. */
  stop(): void;
}

export interface LiveViewOptions {
  readonly out: NodeJS.WritableStream & { columns?: number; rows?: number };
  readonly tty: boolean;
  readonly compute: () => DevView;
  /** Seconds since the command started, for the plain lines and the "all rewritten" line. */
  readonly elapsed: () => number;
  /** Workloads outside the excluded namespaces that must all be rewritten (the demo's). */
  readonly expectedEligible: number;
}

export function startLiveView(o: LiveViewOptions): LiveView {
  let doneAt: number | undefined;
  const checkDone = (view: DevView): void => {
    if (doneAt === undefined && view.eligible >= o.expectedEligible && view.rewritten === view.eligible)
      doneAt = o.elapsed();
  };
  const doneLine = (): string =>
    `all ${o.expectedEligible} eligible workloads rewritten to the backup registry in ${doneAt?.toFixed(1) ?? '?'}s`;

  if (!o.tty) {
    const seen = new Map<string, string>();
    let announced = false;
    return {
      changed() {
        const view = o.compute();
        for (const [key, line] of plainLines(view)) {
          if (seen.get(key) === line) continue;
          seen.set(key, line);
          o.out.write(`[${o.elapsed().toFixed(1)}s] ${line}\n`);
        }
        checkDone(view);
        if (doneAt !== undefined && !announced) {
          announced = true;
          o.out.write(`${doneLine()}\n`);
        }
      },
      stop: () => undefined,
    };
  }

  let dirty = true;
  let drawn = 0;
  const draw = (): void => {
    if (!dirty) return;
    dirty = false;
    const view = o.compute();
    checkDone(view);
    const width = Math.max(40, (o.out.columns ?? 120) - 1);
    let lines = frame(view, doneAt === undefined ? '' : doneLine()).map((l) => l.slice(0, width));
    // The cursor cannot go above the screen's top: a taller frame would leave stale lines behind.
    const height = Math.max(5, (o.out.rows ?? 50) - 1);
    if (lines.length > height)
      lines = [
        ...lines.slice(0, height - 1),
        `… ${lines.length - height + 1} more lines (enlarge the terminal)`,
      ];
    // Up to the first line of the previous frame, clear to the end of the screen, draw again.
    o.out.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}\x1b[J${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, REDRAW_MS);
  return {
    changed() {
      dirty = true;
    },
    stop() {
      clearInterval(timer);
      draw();
    },
  };
}

/** The terminal frame: copies with bars, then the workloads, each with a line per container. */
export function frame(view: DevView, done: string): string[] {
  const lines: string[] = [];
  lines.push(view.copies.length === 0 ? 'Copies in flight: none' : 'Copies in flight:');
  for (const c of view.copies) {
    const ratio = c.bytesTotal > 0 ? Math.min(1, c.bytesDone / c.bytesTotal) : 0;
    const full = Math.round(ratio * BAR_WIDTH);
    // Totals arrive with the first progress report (at most every 2 s): until then, no numbers.
    const numbers =
      c.blobsTotal === 0
        ? 'sizing…'
        : `${mib(c.bytesDone)}/${mib(c.bytesTotal)} MiB ${c.blobsDone}/${c.blobsTotal} blobs`;
    lines.push(`  [${'#'.repeat(full)}${'.'.repeat(BAR_WIDTH - full)}] ${numbers}  ${c.source}`);
  }
  lines.push('', `Workloads: ${view.rewritten}/${view.eligible} eligible rewritten`);
  if (done) lines.push(done);
  // Narrow enough for an 80-column terminal: the long references go on their own lines.
  const rows: string[][] = [['NAMESPACE', 'WORKLOAD', 'BACKUP', 'REWRITTEN']];
  const details: string[] = [''];
  let previous = '';
  for (const r of view.rows) {
    const [namespace = '', kind = '', name = ''] = r.workload.split('/');
    if (r.workload !== previous) {
      rows.push([namespace, `${kind.toLowerCase()}/${name}`, r.backup, r.rewritten ? 'yes' : 'no']);
      details.push('');
    } else {
      // A second container: its backup and state on the detail lines only.
      details[details.length - 1] += '\n';
    }
    previous = r.workload;
    const state = r.rewritten ? `→ backup @${r.image.split('@')[1]?.slice(0, 19) ?? ''}` : `(${r.pending})`;
    details[details.length - 1] += `  ${r.container}: ${r.source} ${state}`;
  }
  for (const [i, line] of table(rows).entries()) {
    lines.push(line);
    if (details[i]) lines.push(...details[i].split('\n'));
  }
  return lines;
}

/** `key → line` for everything a plain log reports; a key's line changes when its state does. */
function plainLines(view: DevView): [string, string][] {
  const out: [string, string][] = [];
  for (const c of view.copies)
    out.push([
      `copy ${c.source}`,
      `copying ${c.source}: ${c.blobsDone}/${c.blobsTotal} blobs, ${mib(c.bytesDone)}/${mib(c.bytesTotal)} MiB`,
    ]);
  for (const r of view.rows) out.push([`row ${r.workload} ${r.container}`, rowLine(r)]);
  return out;
}

function rowLine(r: ImageRow): string {
  const state = r.rewritten ? `rewritten → ${r.image}` : `${r.image} (${r.pending})`;
  return `${r.workload} ${r.container}: backup ${r.backup}, ${state}`;
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
