// The result file of one controller-benchmark run, and its rendering against issue 14's targets.
//   node bench/controller/report.ts bench/controller/results/<file>.json [...more]   (Markdown to stdout)
import { readFileSync } from 'node:fs';
import type { ProfileSummary } from '../copy/cpu-profile.ts';
import type { Counts } from '../copy/counting-proxy.ts';
import type { RequestCounts } from './audit.ts';
import type { BackupPacing, QueueSample } from './pacing.ts';

export interface ControllerResult {
  readonly benchmark: 'controller';
  readonly date: string;
  /** HEAD of the measured checkout, and the last commit that changed lifeboat's own code (src/ but devenv). */
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
    /** The backup registry's auth; absent in older files: htpasswd. */
    readonly backupAuth?: 'htpasswd' | 'token';
    /** `--memory-limit-mib`: lifeboat ran in a memory cgroup with this limit; absent: no limit. */
    readonly memoryLimitMiB?: number;
    readonly lifeboatArgs: readonly string[];
  };
  readonly setup: {
    readonly pushSeconds: number;
    readonly createSeconds: number;
    readonly rolloutSeconds: number;
  };
  readonly lifeboat: {
    /** From spawning `lifeboat run` to the last of the N Deployments rewritten and rolled out. */
    readonly convergedSeconds: number;
    readonly firstRewriteSeconds: number;
    /** Image changes seen on the N Deployments (N = each rewritten exactly once). */
    readonly imageChanges: number;
    readonly cpuSecondsAtConvergence: number;
    readonly cpuMsPerWorkload: number;
    readonly peakRssBytesAtConvergence: number;
    readonly peakRssBytes: number;
    readonly idle: { readonly seconds: number; readonly cpuSeconds: number };
    /** Audit-log windows: converge (start → converged), idle, probe. */
    readonly requests: Record<'converge' | 'idle' | 'probe', RequestCounts>;
    readonly registry: {
      readonly converge: { readonly source: Counts; readonly backup: Counts };
      readonly probe: { readonly source: Counts; readonly backup: Counts };
    };
    readonly cpuProfile?: ProfileSummary;
    /** What paced convergence (pacing.ts); absent in files written before it existed. */
    readonly pacing?: BackupPacing & {
      readonly queues: {
        readonly samples: readonly QueueSample[];
        readonly maxDepth: Record<string, number>;
      };
    };
  };
  /** Absent with `--skip-bare` (measured in another run of the same size). */
  readonly bare?: {
    /** From the first patch sent to the last Deployment rolled out. */
    readonly seconds: number;
    readonly patchSeconds: number;
  };
  readonly ratio?: number;
  readonly probe: {
    readonly count: number;
    /**
     * What p50/p95/max and each sample's `ms` time: 'created' = first seen on the watch → patch seen;
     * absent (files written before it): Available → patch.
     */
    readonly from?: 'created';
    /** Available → patch (negative: patched before it was Available); absent in older files. */
    readonly availableToPatch?: { readonly p50Ms: number; readonly p95Ms: number };
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly maxMs: number;
    /** Per probe Deployment: `from` → patched, and whether its image was already used in its namespace. */
    readonly samples: readonly {
      readonly key: string;
      readonly ms: number;
      readonly availableToPatchMs?: number;
      readonly imageInNamespace: boolean;
    }[];
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const s1 = (n: number): string => n.toFixed(1);
const MB = 1e6;
const mark = (ok: boolean): string => (ok ? 'met' : '**missed**');

export function renderReport(r: ControllerResult): string {
  const n = r.shape.workloads;
  const c = r.lifeboat.requests.converge;
  const writesPer = c.writes / n;
  const images = r.shape.images;
  const reg = r.lifeboat.registry.converge;
  const lines = [
    `### ${n.toLocaleString('en')} workloads (${r.shape.namespaces} namespaces, ${images} images), ${r.date}, commit ${r.commit} (lifeboat code at ${r.lifeboatCommit}${r.dirty ? ', dirty' : ''})`,
    '',
    `\`${r.command}\`; ${r.machine.nproc} cores, load average at start ${r.machine.loadavgStart.join(' ')}, at end ${r.machine.loadavgEnd.join(' ')}; ${r.shape.nodes} kwok nodes × ${r.shape.podsPerNode} pods; backup registry auth ${r.shape.backupAuth ?? 'htpasswd'}; lifeboat's memory ${r.shape.memoryLimitMiB === undefined ? 'not limited' : `limited to ${r.shape.memoryLimitMiB} MiB (a memory cgroup)`}; set-up: images pushed in ${s1(r.setup.pushSeconds)} s, Deployments created in ${s1(r.setup.createSeconds)} s and rolled out in ${s1(r.setup.rolloutSeconds)} s.`,
    '',
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    r.bare === undefined || r.ratio === undefined
      ? `| all ${n} rewritten and rolled out | ${s1(r.lifeboat.convergedSeconds)} s; the bare rollout not measured (--skip-bare) | ≤ 1.15× | n/a |`
      : `| all ${n} rewritten and rolled out | ${s1(r.lifeboat.convergedSeconds)} s = **${r.ratio.toFixed(2)}×** the bare rollout (${s1(r.bare.seconds)} s, patches sent in ${s1(r.bare.patchSeconds)} s) | ≤ 1.15× | ${mark(r.ratio <= 1.15)} |`,
    `| first rewrite after start | ${s1(r.lifeboat.firstRewriteSeconds)} s | | |`,
    `| image changes on the ${n} Deployments | ${r.lifeboat.imageChanges} | ${n} (once each) | ${mark(r.lifeboat.imageChanges === n)} |`,
    `| API writes per workload | ${writesPer.toFixed(2)} (${c.writes}) | ≤ 3 | ${mark(writesPer <= 3)} |`,
    `| API requests per workload | ${(c.requests / n).toFixed(2)} (${c.requests}) | | |`,
    `| lifeboat CPU per workload | ${r.lifeboat.cpuMsPerWorkload.toFixed(1)} ms (${s1(r.lifeboat.cpuSecondsAtConvergence)} s) | ≤ 10 ms | ${mark(r.lifeboat.cpuMsPerWorkload <= 10)} |`,
    `| peak RSS (VmHWM) | ${Math.round(r.lifeboat.peakRssBytesAtConvergence / MB)} MB at convergence, ${Math.round(r.lifeboat.peakRssBytes / MB)} MB at the end | ≤ 400 MB at 10,000 | ${n >= 10_000 ? mark(r.lifeboat.peakRssBytes <= 400 * MB) : 'n/a at this size'} |`,
    `| idle CPU, ${r.lifeboat.idle.seconds} s after convergence | ${r.lifeboat.idle.cpuSeconds.toFixed(2)} s (${r.lifeboat.requests.idle.requests} API requests) | ≈ 0 | ${mark(r.lifeboat.idle.cpuSeconds <= 0.1 * (r.lifeboat.idle.seconds / 60))} |`,
    `| ${r.probe.from === 'created' ? 'created' : 'Available'} → patch, ${r.probe.count} new Deployments, images backed up | p50 ${(r.probe.p50Ms / 1000).toFixed(2)} s, p95 ${(r.probe.p95Ms / 1000).toFixed(2)} s, max ${(r.probe.maxMs / 1000).toFixed(2)} s | p95 ≤ 1 s | ${mark(r.probe.p95Ms <= 1000)} |`,
    ...(r.probe.availableToPatch
      ? [
          `| Available → patch (negative: patched first) | p50 ${(r.probe.availableToPatch.p50Ms / 1000).toFixed(2)} s, p95 ${(r.probe.availableToPatch.p95Ms / 1000).toFixed(2)} s | | |`,
        ]
      : []),
    `| registry requests per image (copy) | backup ${(reg.backup.requests / images).toFixed(1)}, source ${(reg.source.requests / images).toFixed(1)} | | |`,
    '',
    `API requests while converging, by verb and resource: ${Object.entries(c.byVerbResource)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.` +
      (Object.keys(c.failures).length > 0
        ? ` Not 2xx: ${Object.entries(c.failures)
            .map(([k, v]) => `${k} × ${v}`)
            .join(', ')}.`
        : ''),
    '',
    `Backup registry requests by method: ${Object.entries(reg.backup.byMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; source: ${Object.entries(reg.source.byMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}. During the probe: ${r.lifeboat.requests.probe.requests} API requests (${r.lifeboat.requests.probe.writes} of them writes; ${Object.entries(
      r.lifeboat.requests.probe.byVerbResource,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}), ${r.lifeboat.registry.probe.backup.requests + r.lifeboat.registry.probe.source.requests} registry requests.`,
  ];
  const idle = r.lifeboat.requests.idle;
  lines.push(
    '',
    `API requests in the idle window: ${idle.requests} (${idle.writes} writes)${
      idle.requests > 0
        ? `: ${Object.entries(idle.byVerbResource)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
        : ''
    }.`,
  );
  const inNs = r.probe.samples.filter((s) => s.imageInNamespace).map((s) => s.ms);
  const newNs = r.probe.samples.filter((s) => !s.imageInNamespace).map((s) => s.ms);
  if (inNs.length > 0 && newNs.length > 0) {
    lines.push(
      '',
      `Probe split: image already used in the Deployment's namespace p50 ${(percentile(inNs, 50) / 1000).toFixed(2)} s / p95 ${(percentile(inNs, 95) / 1000).toFixed(2)} s (n=${inNs.length}); image new to the namespace p50 ${(percentile(newNs, 50) / 1000).toFixed(2)} s / p95 ${(percentile(newNs, 95) / 1000).toFixed(2)} s (n=${newNs.length}).`,
    );
  }
  const pace = r.lifeboat.pacing;
  if (pace) {
    const sp = (x: { n: number; p50: number; p95: number; max: number }): string =>
      `p50 ${s1(x.p50)} s, p95 ${s1(x.p95)} s, max ${s1(x.max)} s (n=${x.n})`;
    lines.push(
      '',
      `Pacing: ${pace.ready}/${pace.backups} ImageBackups Ready, ${pace.attempts.total} attempts (at most ${pace.attempts.max} for one); one copy (completedAt − startedAt) ${sp(pace.copySeconds)}; copies started from ${s1(pace.firstStartedSeconds)} s after lifeboat's start (${sp(pace.startedSeconds)}), the last completed at ${s1(pace.lastCompletedSeconds)} s; a workload's rewrite after lifeboat's start ${sp(pace.rewriteSeconds)}, after its image's backup was Ready ${sp(pace.readyToRewriteSeconds)}. Deepest work queues (/metrics every 5 s): ${
        Object.entries(pace.queues.maxDepth)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'not read'
      }.`,
    );
  }
  const prof = r.lifeboat.cpuProfile;
  if (prof) {
    lines.push(
      '',
      `CPU profile (--cpu-prof, whole run, ${s1(prof.totalMs / 1000)} s wall): ${prof.top
        .slice(0, 12)
        .map((t) => `${t.fn} ${Math.round(t.ms)} ms`)
        .join('; ')}.`,
    );
  }
  return lines.join('\n');
}

/** A run stopped by --stop-after-seconds (main.ts `writePartial`): how far lifeboat got. */
export interface PartialResult {
  readonly partial: true;
  readonly date: string;
  readonly commit: string;
  readonly lifeboatCommit: string;
  readonly command: string;
  readonly machine: ControllerResult['machine'];
  readonly shape: ControllerResult['shape'];
  readonly setup: ControllerResult['setup'];
  readonly lifeboat: {
    readonly stoppedAfterSeconds: number;
    readonly rewritten: number;
    readonly rewrittenAndRolledOut: number;
    readonly cpuSeconds: number;
    readonly cpuMsPerRewrite: number | null;
    readonly peakRssBytes: number;
    readonly requests: RequestCounts;
    readonly registry: { readonly source: Counts; readonly backup: Counts };
    readonly pacing: NonNullable<ControllerResult['lifeboat']['pacing']>;
  };
}

export function renderPartial(r: PartialResult): string {
  const l = r.lifeboat;
  const p = l.pacing;
  const sp = (x: { n: number; p50: number; p95: number; max: number }): string =>
    `p50 ${s1(x.p50)} s, p95 ${s1(x.p95)} s, max ${s1(x.max)} s (n=${x.n})`;
  return [
    `### ${r.shape.workloads.toLocaleString('en')} workloads (${r.shape.namespaces} namespaces, ${r.shape.images} images), ${r.date}, commit ${r.commit} (lifeboat code at ${r.lifeboatCommit}): **partial, stopped before convergence**`,
    '',
    `\`${r.command}\`; ${r.machine.nproc} cores, load average at start ${r.machine.loadavgStart.join(' ')}, at end ${r.machine.loadavgEnd.join(' ')}; ${r.shape.nodes} kwok nodes × ${r.shape.podsPerNode} pods; backup registry auth ${r.shape.backupAuth ?? 'htpasswd'}; set-up: images pushed in ${s1(r.setup.pushSeconds)} s, Deployments created in ${s1(r.setup.createSeconds)} s and rolled out in ${s1(r.setup.rolloutSeconds)} s.`,
    '',
    `Stopped ${s1(l.stoppedAfterSeconds)} s after lifeboat's start: ${l.rewritten} of ${r.shape.workloads} Deployments rewritten (${l.rewrittenAndRolledOut} rolled out); CPU ${s1(l.cpuSeconds)} s (${l.cpuMsPerRewrite === null ? 'n/a' : `${l.cpuMsPerRewrite.toFixed(1)} ms`} per rewritten workload); peak RSS (VmHWM) ${Math.round(l.peakRssBytes / MB)} MB; ${l.requests.requests} API requests, ${l.requests.writes} writes (${(l.requests.writes / Math.max(1, l.rewritten)).toFixed(2)} per rewritten workload): ${Object.entries(
      l.requests.byVerbResource,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `Pacing: ${p.ready}/${p.backups} ImageBackups Ready, ${p.attempts.total} attempts (at most ${p.attempts.max} for one); one copy ${sp(p.copySeconds)}; copies started ${sp(p.startedSeconds)} after lifeboat's start; a workload's rewrite after its image's backup was Ready ${sp(p.readyToRewriteSeconds)}. Deepest work queues: ${Object.entries(
      p.queues.maxDepth,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ControllerResult | PartialResult;
    const text = 'partial' in parsed ? renderPartial(parsed) : renderReport(parsed);
    process.stdout.write(`${text}\n\n`);
  }
}
