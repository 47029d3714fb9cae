// The result file of one `--chaos` run (chaos.ts), and its rendering against issue 14 item 5.
//   node bench/controller/chaos-report.ts bench/controller/results/<file>.json   (Markdown to stdout)
import { readFileSync } from 'node:fs';
import type { Violation } from '../../test/e2e/backups/auditor.ts';
import type { Counts } from '../copy/counting-proxy.ts';
import type { RequestCounts } from './audit.ts';

export interface FaultRecord {
  readonly what: string;
  /** Share of the Deployments rewritten the fault waited for, and whether it was reached in time. */
  readonly gate: number;
  readonly gateReached: boolean;
  /** From the first replica's spawn. */
  readonly atSeconds: number;
  readonly rewrittenAtInjection: number;
  /** How long the fault itself took (the outage; the apiserver's stop and start to ready). */
  readonly tookSeconds: number;
  readonly detail?: string;
}

export interface ChaosResult {
  readonly benchmark: 'controller-chaos';
  readonly date: string;
  readonly commit: string;
  readonly lifeboatCommit: string;
  readonly dirty: boolean;
  readonly command: string;
  readonly machine: {
    readonly nproc: number;
    readonly memoryGiB: number;
    readonly loadavgStart: readonly number[];
    readonly loadavgEnd: readonly number[];
  };
  readonly shape: {
    readonly workloads: number;
    readonly namespaces: number;
    readonly images: number;
    readonly nodes: number;
    readonly podsPerNode: number;
    readonly replicas: number;
    readonly lifeboatArgs: readonly string[];
  };
  readonly faults: {
    readonly schedule: readonly FaultRecord[];
    readonly registryFaultRate: number;
    readonly seed: number;
    /** Requests through each fault proxy (lifeboat's only: the auditor reads the registry directly). */
    readonly registryRequests: {
      readonly source: { readonly requests: number; readonly faulted: number };
      readonly backup: { readonly requests: number; readonly faulted: number };
    };
    readonly injected: readonly { readonly proxy: string; readonly action: string; readonly hits: number }[];
    readonly replicaExits: readonly {
      readonly replica: string;
      readonly reason: string;
      readonly atSeconds: number;
      /** The end of its log (absent in results written before it was recorded). */
      readonly lastLogLines?: readonly string[];
    }[];
    readonly replicasStarted: number;
  };
  /** From the first replica's spawn to the last Deployment rewritten and rolled out. */
  readonly convergedSeconds: number;
  readonly auditor: {
    readonly rounds: number;
    readonly checks: number;
    readonly violations: readonly Violation[];
  };
  readonly rewrites: {
    readonly deployments: number;
    /** Deployments whose image changed exactly once (lifeboat's rewrite) as the watch saw them. */
    readonly changedOnce: number;
    readonly changedMoreThanOnce: readonly { readonly key: string; readonly changes: number }[];
    readonly neverChanged: readonly string[];
  };
  /** lifeboat's API requests (both replicas: one ServiceAccount) from the first spawn to convergence. */
  readonly requests: RequestCounts;
  readonly writesPerWorkload: number;
  /** Lease creates and updates (leader election), inside `requests.writes`. */
  readonly leaseWrites: number;
  readonly writesPerWorkloadWithoutLeases: number;
  /** utime + stime of every replica started, at convergence. */
  readonly cpuSeconds: number;
  readonly cpuMsPerWorkload: number;
  readonly peakRssBytes: number;
  /** Requests that reached each registry (behind the fault proxy) while converging. */
  readonly registry: { readonly source: Counts; readonly backup: Counts };
}

const list = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** `, last log line: "…"` from a replica's JSON log, when there is one. */
function lastMessage(lines: readonly string[] | undefined): string {
  const last = lines?.at(-1);
  if (last === undefined) return '';
  try {
    const msg = (JSON.parse(last) as { msg?: unknown }).msg;
    return typeof msg === 'string' ? `, last log line: "${msg}"` : '';
  } catch {
    return '';
  }
}

export function renderChaosReport(r: ChaosResult): string {
  const n = r.shape.workloads;
  const f = r.faults;
  const met = (ok: boolean): string => (ok ? 'met' : '**missed**');
  const faulted = f.registryRequests.source.faulted + f.registryRequests.backup.faulted;
  const through = f.registryRequests.source.requests + f.registryRequests.backup.requests;
  const lines = [
    `### --chaos, ${n} workloads (${r.shape.namespaces} namespaces, ${r.shape.images} images), ${r.date}, commit ${r.commit} (lifeboat code at ${r.lifeboatCommit}${r.dirty ? ', uncommitted changes' : ''})`,
    '',
    `\`${r.command}\`; ${r.machine.nproc} cores, load average at start ${r.machine.loadavgStart.join(' ')}, at end ${r.machine.loadavgEnd.join(' ')}; ${r.shape.nodes} kwok nodes × ${r.shape.podsPerNode} pods; ${r.shape.replicas} replicas with leader election.`,
    '',
    '| fault | at (s after start) | Deployments rewritten then | took |',
    '| --- | --- | --- | --- |',
    ...f.schedule.map(
      (s) =>
        `| ${s.what}${s.detail ? ` (${s.detail})` : ''} | ${s.atSeconds} | ${s.rewrittenAtInjection} / ${n}${s.gateReached ? '' : ` (gate ${s.gate * 100} % not reached)`} | ${s.tookSeconds} s |`,
    ),
    `| ${(f.registryFaultRate * 100).toFixed(1)} % of registry requests: 503 or reset (seed ${f.seed}) | throughout | | ${faulted} of ${through} requests (${((100 * faulted) / Math.max(1, through)).toFixed(1)} %): ${f.injected.map((i) => `${i.proxy} ${i.action} ${i.hits}`).join(', ')} |`,
    '',
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    `| all ${n} rewritten and rolled out | ${r.convergedSeconds} s | completes | ${met(true)} |`,
    `| auditor: a Deployment referencing a backup whose manifest is missing | ${r.auditor.violations.length} violations in ${r.auditor.rounds} rounds (${r.auditor.checks} image checks) | none | ${met(r.auditor.violations.length === 0)} |`,
    `| Deployments whose image changed exactly once | ${r.rewrites.changedOnce} / ${n} (more than once: ${r.rewrites.changedMoreThanOnce.length}, never: ${r.rewrites.neverChanged.length}) | all | ${met(r.rewrites.changedOnce === n)} |`,
    `| API writes per workload | ${r.writesPerWorkload.toFixed(2)} (${r.requests.writes}; ${r.leaseWrites} of them Lease writes, ${r.writesPerWorkloadWithoutLeases.toFixed(2)} without) | ≤ 3.5 | ${met(r.writesPerWorkload <= 3.5)} |`,
    `| API requests per workload | ${(r.requests.requests / n).toFixed(2)} (${r.requests.requests}) | | |`,
    `| lifeboat CPU per workload, all replicas | ${r.cpuMsPerWorkload.toFixed(1)} ms (${r.cpuSeconds.toFixed(1)} s) | | |`,
    `| peak RSS (VmHWM) of a replica | ${Math.round(r.peakRssBytes / 1e6)} MB | | |`,
    '',
    `Replicas started: ${f.replicasStarted}; exits: ${f.replicaExits.map((e) => `${e.replica} at ${e.atSeconds} s (${e.reason.replace(/; see .*/, '')}${lastMessage(e.lastLogLines)})`).join('; ') || 'none'}.`,
    '',
    `API requests while converging, by verb and resource: ${list(r.requests.byVerbResource)}. Not 2xx: ${list(r.requests.failures)}.`,
    '',
    `Requests that reached the registries (behind the fault proxies): backup ${list(r.registry.backup.byMethod)}; source ${list(r.registry.source.byMethod)}.`,
  ];
  if (r.auditor.violations.length > 0) {
    lines.push('', 'Violations (first 20):', '');
    for (const v of r.auditor.violations.slice(0, 20))
      lines.push(`- ${v.at} ${v.workload} ${v.image}: ${v.problem}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    process.stdout.write(`${renderChaosReport(JSON.parse(readFileSync(file, 'utf8')) as ChaosResult)}\n`);
  }
}
