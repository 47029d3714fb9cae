// What `lifeboat verify` prints: one row per container as `lifeboat status` prints its tables
// (NAMESPACE, WORKLOAD, CONTAINER, VERDICT, REASON), then the summary line; or one JSON document.
// Pure, but for the progress line, which writes to the stream it is given.
import type { ProtectionReport } from '../controllers/protection/index.ts';
import { alignTable } from './status-output.ts';

/** `3 protected, 1 exposed, 2 excluded`, with `(manifests only: --shallow)` when blobs were not read. */
export function verifySummary(report: ProtectionReport): string {
  const { summary: s } = report;
  const line = `${s.protected} protected, ${s.exposed} exposed, ${s.excluded} excluded`;
  return report.shallow ? `${line} (manifests only: --shallow)` : line;
}

/** The table and the summary line, a blank line between them; ends with a newline. */
export function verifyTable(report: ProtectionReport): string {
  const table =
    report.rows.length === 0
      ? 'No workloads found.'
      : alignTable([
          ['NAMESPACE', 'WORKLOAD', 'CONTAINER', 'VERDICT', 'REASON'],
          ...report.rows.map((r) => [
            r.namespace,
            `${r.kind.toLowerCase()}/${r.name}`,
            r.container,
            r.verdict,
            r.reason,
          ]),
        ]);
  return `${table}\n\n${verifySummary(report)}\n`;
}

/**
 * `-o json`: `{ok, shallow, summary, containers}`; `ok` is what the exit code says (nothing
 * eligible exposed); each container with its verdict, reason and, for one that runs a backup, the
 * reference checked and the findings (digests missing, anchors missing). Never a credential.
 */
export function verifyJson(report: ProtectionReport): string {
  const document = {
    ok: report.summary.exposed === 0,
    shallow: report.shallow,
    summary: report.summary,
    containers: report.rows,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Where the progress line goes: stderr, drawn only when it is a terminal. */
export interface ProgressOut {
  readonly isTTY?: boolean | undefined;
  write(text: string): unknown;
}

export interface ProgressLine {
  update(progress: { readonly done: number; readonly total: number }): void;
  /** Erases the line, so the table starts on a clean line; nothing when nothing was drawn. */
  done(): void;
}

const REDRAW_MS = 100;

/**
 * `verify: 120/340 registry checks`, redrawn in place at most every 100 ms (and at the last
 * request), only on a terminal: a CI log gets the table alone.
 */
export function progressLine(out: ProgressOut, now: () => number = Date.now): ProgressLine {
  if (out.isTTY !== true) return { update: () => undefined, done: () => undefined };
  let shown = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update({ done, total }) {
      const at = now();
      if (done < total && at - last < REDRAW_MS) return;
      last = at;
      shown = true;
      out.write(`\rverify: ${done}/${total} registry checks\u001b[K`);
    },
    done() {
      if (shown) out.write('\r\u001b[K');
      shown = false;
    },
  };
}
