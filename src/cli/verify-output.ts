// What `lifeboat verify` prints: one row per container as `lifeboat status` prints its tables
// (NAMESPACE, WORKLOAD, CONTAINER, VERDICT, REASON), then the summary line; or one JSON document.
// Pure: the command writes the string.
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
