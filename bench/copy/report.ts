// Turns the samples of one benchmark run into markdown: a table per case (median wall, ratios,
// peak RSS, CPU, requests) and the SPEC §3 targets marked met or missed.
import type { Counts } from './counting-proxy.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { CaseId, Role } from './runners.ts';

export interface Sample {
  readonly runner: string;
  readonly caseId: CaseId;
  readonly iteration: number;
  readonly wallMs: number;
  readonly maxRssKb: number;
  readonly userS: number;
  readonly sysS: number;
  readonly sourceRegistryCpuS: number;
  readonly targetRegistryCpuS: number;
  /** CPU the whole machine spent busy during the run (tool, registries, this harness and other users). */
  readonly machineCpuS: number;
  /** The engine-batch runner's JSON line (per-copy times measured inside the process). */
  readonly engine?: {
    readonly loadMs: number;
    readonly totalMs: number;
    readonly copyMs: readonly number[];
    readonly failures: readonly { readonly repo: string; readonly code: string; readonly message: string }[];
  };
}

export interface CountSample {
  readonly runner: string;
  readonly caseId: CaseId;
  readonly wallMs: number;
  readonly source: Counts;
  readonly target: Counts;
}

export interface Results {
  readonly date: string;
  readonly machine: {
    readonly nproc: number;
    readonly memoryGiB: number;
    readonly cpu: string;
    readonly kernel: string;
  };
  readonly command: string;
  /** `uptime` at the start and at the end of the run: the machine is shared with other work. */
  readonly load: Record<'before' | 'after', { readonly uptime: string; readonly loadavg: readonly number[] }>;
  readonly iterations: number;
  readonly cases: Record<string, string>;
  readonly versions: Record<string, string>;
  /** Each row's role in the report, by runner name. */
  readonly roles: Record<string, Role>;
  readonly startup: Record<string, { readonly wallMs: number; readonly maxRssKb: number }>;
  readonly samples: readonly Sample[];
  readonly counts: readonly CountSample[];
  readonly profiles: Record<string, ProfileSummary>;
}

/** CPU spent by neither the tool nor the registries: this harness, the kernel, other users of the machine. */
export function otherCpu(sample: Sample): number {
  return Math.max(
    0,
    sample.machineCpuS - sample.userS - sample.sysS - sample.sourceRegistryCpuS - sample.targetRegistryCpuS,
  );
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const LIFEBOAT = 'lifeboat';
const ENGINE = 'lifeboat engine (1 process)';
/** SPEC §3: peak RSS ≤ 150 MB, decimal megabytes (GNU time reports KiB). */
const RSS_LIMIT_KB = (150 * 1000 * 1000) / 1024;

const s = (ms: number): string => (ms / 1000).toFixed(ms < 1000 ? 3 : 2);
const mib = (kb: number): string => (kb / 1024).toFixed(0);
const mb = (kb: number): string => ((kb * 1024) / 1e6).toFixed(0);
const x = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');

function methods(c: Counts | undefined): string {
  if (c === undefined) return '—';
  const parts = Object.entries(c.byMethod)
    .sort()
    .map(([m, n]) => `${m} ${n}`);
  return `${c.requests} (${parts.join(', ')})`;
}

interface Row {
  readonly runner: string;
  readonly wall: number;
  readonly min: number;
  readonly max: number;
  readonly rssKb: number;
  readonly cpuS: number;
  readonly registryCpuS: number;
  readonly otherCpuS: number;
  readonly n: number;
}

function rows(results: Results, caseId: CaseId): Row[] {
  const names = [...new Set(results.samples.filter((x) => x.caseId === caseId).map((x) => x.runner))];
  return names.map((runner) => {
    const mine = results.samples.filter((x) => x.caseId === caseId && x.runner === runner);
    const walls = mine.map((x) => x.wallMs);
    return {
      runner,
      wall: median(walls),
      min: Math.min(...walls),
      max: Math.max(...walls),
      rssKb: Math.max(...mine.map((x) => x.maxRssKb)),
      cpuS: median(mine.map((x) => x.userS + x.sysS)),
      registryCpuS: median(mine.map((x) => x.sourceRegistryCpuS + x.targetRegistryCpuS)),
      otherCpuS: median(mine.map(otherCpu)),
      n: mine.length,
    };
  });
}

/** The floor is a lower bound: the fastest of the raw copiers (median wall). */
function floorRow(results: Results, all: readonly Row[]): Row | undefined {
  return all
    .filter((r) => results.roles[r.runner] === 'floor')
    .reduce<Row | undefined>((best, r) => (best === undefined || r.wall < best.wall ? r : best), undefined);
}

export function caseTable(results: Results, caseId: CaseId): string {
  const all = rows(results, caseId);
  const lifeboat = all.find((r) => r.runner === LIFEBOAT)?.wall ?? NaN;
  const floor = floorRow(results, all)?.wall ?? NaN;
  const lines = [
    '| tool | median wall s | min–max s | lifeboat ÷ tool | tool ÷ fastest floor | peak RSS MiB | tool CPU s | registries CPU s | other CPU s | source requests | target requests |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of all) {
    const counts = results.counts.find((c) => c.caseId === caseId && c.runner === r.runner);
    lines.push(
      `| ${r.runner} | ${s(r.wall)} | ${s(r.min)}–${s(r.max)} | ${x(lifeboat / r.wall)} | ${x(r.wall / floor)} | ${mib(r.rssKb)} | ${r.cpuS.toFixed(2)} | ${r.registryCpuS.toFixed(2)} | ${r.otherCpuS.toFixed(2)} | ${methods(counts?.source)} | ${methods(counts?.target)} |`,
    );
  }
  return lines.join('\n');
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function targetChecks(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const caseId of ['big', 'index'] as const) {
    const all = rows(results, caseId);
    const lb = all.find((r) => r.runner === LIFEBOAT);
    if (lb === undefined) continue;
    for (const p of all.filter((r) => results.roles[r.runner] === 'peer')) {
      const ratio = lb.wall / p.wall;
      checks.push({
        target: `${caseId}: wall ≤ 0.9× ${p.runner}`,
        measured: `${x(ratio)} (${s(lb.wall)} s vs ${s(p.wall)} s)${ratio > 0.9 ? `, missed by ${((ratio / 0.9 - 1) * 100).toFixed(0)} %` : ''}`,
        met: ratio <= 0.9,
      });
    }
    const f = floorRow(results, all);
    if (f !== undefined) {
      const ratio = lb.wall / f.wall;
      checks.push({
        target: `${caseId}: wall ≤ 1.5× ${f.runner}`,
        measured: `${x(ratio)} (${s(lb.wall)} s vs ${s(f.wall)} s)`,
        met: ratio <= 1.5,
      });
    }
    checks.push({
      target: `${caseId}: peak RSS ≤ 150 MB`,
      measured: `${mib(lb.rssKb)} MiB = ${mb(lb.rssKb)} MB (largest of ${lb.n} runs)`,
      met: lb.rssKb <= RSS_LIMIT_KB,
    });
  }
  const recopy = results.counts.find((c) => c.caseId === 'recopy' && c.runner === LIFEBOAT);
  if (recopy !== undefined) {
    const n = recopy.source.requests + recopy.target.requests;
    checks.push({
      target: 'recopy: ≤ 2 requests',
      measured: `${n} (source ${methods(recopy.source)}; target ${methods(recopy.target)})`,
      met: n <= 2,
    });
  }
  const engineRecopy = results.samples
    .filter((x) => x.caseId === 'recopy' && x.runner === ENGINE)
    .flatMap((x) => x.engine?.copyMs ?? []);
  if (engineRecopy.length > 0) {
    const ms = median(engineRecopy);
    checks.push({
      target: 'recopy: < 50 ms (engine, in process)',
      measured: `${ms.toFixed(1)} ms median of ${engineRecopy.length}`,
      met: ms < 50,
    });
  }
  const cli = rows(results, 'recopy').find((r) => r.runner === LIFEBOAT);
  if (cli !== undefined) {
    checks.push({
      target: 'recopy: < 50 ms (CLI process, start-up included)',
      measured: `${cli.wall.toFixed(0)} ms median`,
      met: cli.wall < 50,
    });
  }
  return checks;
}

export function renderMarkdown(results: Results): string {
  const { machine, load } = results;
  const out: string[] = [
    `Run ${results.date}: \`${results.command}\``,
    '',
    `Machine: ${machine.cpu}, ${machine.nproc} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}. ` +
      `Load averages (1, 5, 15 min) before: ${load.before.loadavg.join(', ')}; after: ${load.after.loadavg.join(', ')}.`,
    '',
  ];
  for (const [caseId, title] of Object.entries(results.cases)) {
    out.push(`### ${title}`, '', caseTable(results, caseId as CaseId), '');
  }
  out.push(
    '### Start-up (no network work; median of 5)',
    '',
    '| tool | wall ms | peak RSS MiB |',
    '|---|---:|---:|',
  );
  for (const [tool, v] of Object.entries(results.startup)) {
    out.push(`| ${tool} | ${v.wallMs.toFixed(0)} | ${mib(v.maxRssKb)} |`);
  }
  out.push('', '### SPEC §3 targets', '', '| target | measured | |', '|---|---|---|');
  for (const c of targetChecks(results))
    out.push(`| ${c.target} | ${c.measured} | ${c.met ? 'met' : '**missed**'} |`);
  for (const [name, p] of Object.entries(results.profiles)) {
    out.push(
      '',
      `### CPU profile: ${name} (${p.totalMs.toFixed(0)} ms profiled; self time)`,
      '',
      '| function | ms | share |',
      '|---|---:|---:|',
    );
    for (const t of p.top) out.push(`| \`${t.fn}\` | ${t.ms.toFixed(0)} | ${(t.share * 100).toFixed(1)} % |`);
  }
  return out.join('\n');
}
