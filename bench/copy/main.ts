// Copy benchmark: lifeboat copy vs crane, regctl and skopeo (and the curl transfer floor) on local
// distribution registries, interleaved in one run. See docs/benchmarks.md for what is measured and why.
//   node bench/copy/main.ts [--iterations 3] [--cases big,index,small,recopy]
//     [--tools lifeboat,crane,crane-j8,regctl,skopeo,floor,go-floor,passthrough,engine,sync] [--scale 1]
//     [--small-count 100] [--no-count] [--no-profile] [--out bench/copy/results/latest.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry, toolPath, type LocalRegistry } from '../../src/devenv/index.ts';
import { startCountingProxy, type CountingProxy } from './counting-proxy.ts';
import { summariseProfile, type ProfileSummary } from './cpu-profile.ts';
import { createPusher, pushImage, pushIndex, pushSmallSet, type Fixture } from './fixtures.ts';
import { cpuSeconds, machineBusySeconds, registryPid } from './registry-cpu.ts';
import { median, otherCpu, renderMarkdown, type CountSample, type Results, type Sample } from './report.ts';
import * as runners from './runners.ts';
import type { CaseId, Role, RunContext, Runner } from './runners.ts';
import { timedRun } from './timed-run.ts';
import { createToolEnv } from './tool-env.ts';

const MiB = 1024 * 1024;
const STARTUP_SAMPLES = 5;
/** lifeboat's default number of blobs copied at once, which the second crane row is given. */
const LIFEBOAT_JOBS = 8;
const RUNNER_KEYS: Record<string, () => Runner> = {
  lifeboat: () => runners.lifeboat,
  crane: () => runners.crane(),
  'crane-j8': () => runners.crane(LIFEBOAT_JOBS),
  regctl: () => runners.regctl,
  skopeo: () => runners.skopeo,
  floor: () => runners.floor,
  'go-floor': () => runners.goFloor,
  passthrough: () => runners.passthrough,
  engine: () => runners.lifeboatEngine,
  sync: () => runners.skopeoSync,
};
const CASE_TITLES: Record<CaseId, string> = {
  big: '(a) 1 GiB image, 8 × 128 MiB layers',
  index: '(b) 4-platform index, 3 × 50 MiB layers per platform (≈ 150 MiB each)',
  small: '(c) 100 small images, 5 × 1 MiB layers (one shared by all)',
  recopy: '(d) re-copy of the (a) image, already in the target',
};

const { values: flags } = parseArgs({
  options: {
    iterations: { type: 'string', default: '3' },
    cases: { type: 'string', default: 'big,index,small,recopy' },
    tools: { type: 'string', default: Object.keys(RUNNER_KEYS).join(',') },
    scale: { type: 'string', default: '1' },
    'small-count': { type: 'string', default: '100' },
    'no-count': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    out: { type: 'string', default: join(dirname(new URL(import.meta.url).pathname), 'results/latest.json') },
  },
});

const iterations = Number(flags.iterations);
const cases = flags.cases.split(',') as CaseId[];
const selected = flags.tools.split(',').map((k) => {
  const r = RUNNER_KEYS[k];
  if (r === undefined) throw new Error(`unknown tool ${k}; known: ${Object.keys(RUNNER_KEYS).join(', ')}`);
  return r();
});
const scale = Number(flags.scale);
const smallCount = Number(flags['small-count']);
if (cases.includes('recopy') && (!cases.includes('big') || !selected.includes(runners.lifeboat))) {
  throw new Error('the recopy case re-copies the big image: it needs the big case and the lifeboat tool');
}

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
/** The load averages as `uptime` prints them: the machine is shared, so a run records how busy it was. */
const load = (): Results['load']['before'] => ({
  uptime: firstLineOf('uptime', []),
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
});
const firstLineOf = (file: string, args: string[]): string => {
  try {
    return execFileSync(file, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
};

const work = mkdtempSync(join(tmpdir(), 'lifeboat-bench-'));
const tools = createToolEnv(work);
const registries: LocalRegistry[] = [];
const proxies: CountingProxy[] = [];
const newRegistry = async (): Promise<LocalRegistry> => {
  const r = await startRegistry();
  registries.push(r);
  tools.allowHttp([r.host]);
  return r;
};
const stopRegistry = async (r: LocalRegistry): Promise<void> => {
  await r.stop();
  registries.splice(registries.indexOf(r), 1);
};

const loadBefore = load();
try {
  const source = await newRegistry();
  const sourcePid = registryPid(source.dataDir);
  const pusher = createPusher(source.host, tools);
  const t0 = performance.now();
  log(`pushing fixtures to ${source.host} with regctl (scale ${scale})`);
  const warm = await pushImage(pusher, { repo: 'warm/image', tag: 'v1', layers: 2, layerSize: MiB });
  const fixtures = new Map<CaseId, Fixture[]>();
  if (cases.includes('big')) {
    const big = await pushImage(pusher, {
      repo: 'big/image',
      tag: 'v1',
      layers: 8,
      layerSize: Math.round(128 * MiB * scale),
    });
    fixtures.set('big', [big]);
    fixtures.set('recopy', [big]);
  }
  if (cases.includes('index')) {
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/ppc64le'];
    fixtures.set('index', [
      await pushIndex(pusher, {
        repo: 'multi/index',
        tag: 'v1',
        platforms,
        layers: 3,
        layerSize: Math.round(50 * MiB * scale),
      }),
    ]);
  }
  if (cases.includes('small')) {
    fixtures.set(
      'small',
      await pushSmallSet(pusher, { count: smallCount, layers: 5, layerSize: MiB, parallel: 4 }),
    );
  }
  log(`fixtures pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const ctxFor = (
    caseId: CaseId,
    targetHost: string,
    sourceHost = source.host,
    f?: Fixture[],
  ): RunContext => ({
    caseId,
    fixtures: f ?? fixtures.get(caseId) ?? [],
    sourceHost,
    targetHost,
    tools,
    scratch: work,
  });

  log('start-up times');
  const startup: Results['startup'] = {};
  for (const [tool, command] of Object.entries(runners.startupCommands(tools))) {
    const runs = [];
    for (let i = 0; i < STARTUP_SAMPLES; i++) runs.push(await timedRun(command, work));
    startup[tool] = {
      wallMs: median(runs.map((r) => r.wallMs)),
      maxRssKb: median(runs.map((r) => r.maxRssKb)),
    };
  }

  // Each tool into its own empty target: in a shared one, only the first tool would move bytes and
  // the others would find every blob already there.
  log('warm-up (untimed): every tool copies a 2 MiB image once, each into its own target');
  for (const runner of selected) {
    const target = await newRegistry();
    await runner.run({
      ...ctxFor('small', target.host, source.host, [warm]),
      caseId: runner.cases[0] ?? 'small',
    });
    await stopRegistry(target);
  }

  const samples: Sample[] = [];
  for (let it = 0; it < iterations; it++) {
    // A fresh target registry per tool per iteration: no tool finds another's blobs, and the disk
    // holds one iteration's copies at a time.
    const targets = new Map<Runner, LocalRegistry>();
    for (const runner of selected) targets.set(runner, await newRegistry());
    for (const caseId of cases) {
      const applicable = selected.filter((r) => r.cases.includes(caseId));
      // Interleaved, and rotated per iteration so no tool always runs first (or after the same peer).
      const order = applicable.map((_, i) => applicable[(i + it) % applicable.length] as Runner);
      for (const runner of order) {
        // The engine re-copies into the CLI's target, where the big image already is.
        const target =
          runner === runners.lifeboatEngine && caseId === 'recopy'
            ? targets.get(runners.lifeboat)
            : targets.get(runner);
        if (target === undefined) continue;
        const targetPid = registryPid(target.dataDir);
        const before = [cpuSeconds(sourcePid), cpuSeconds(targetPid), machineBusySeconds()];
        const m = await runner.run(ctxFor(caseId, target.host));
        const after = [cpuSeconds(sourcePid), cpuSeconds(targetPid), machineBusySeconds()];
        const sample: Sample = {
          runner: runner.name,
          caseId,
          iteration: it,
          wallMs: m.wallMs,
          maxRssKb: m.maxRssKb,
          userS: m.userS,
          sysS: m.sysS,
          sourceRegistryCpuS: (after[0] ?? 0) - (before[0] ?? 0),
          targetRegistryCpuS: (after[1] ?? 0) - (before[1] ?? 0),
          machineCpuS: (after[2] ?? 0) - (before[2] ?? 0),
          ...(runner === runners.lifeboatEngine ? { engine: JSON.parse(m.stdout) as Sample['engine'] } : {}),
        };
        samples.push(sample);
        log(
          `it ${it + 1}/${iterations} ${caseId.padEnd(6)} ${runner.name.padEnd(28)} ${(m.wallMs / 1000).toFixed(3)} s  rss ${(m.maxRssKb / 1024).toFixed(0)} MB  cpu ${(m.userS + m.sysS).toFixed(2)} s  registries ${(sample.sourceRegistryCpuS + sample.targetRegistryCpuS).toFixed(2)} s  other ${otherCpu(sample).toFixed(2)} s`,
        );
      }
    }
    for (const r of targets.values()) await stopRegistry(r);
  }

  const counts: CountSample[] = [];
  if (!flags['no-count']) {
    log('counting pass (through counting proxies; not timed into the tables)');
    const sourceProxy = await startCountingProxy(source.host);
    proxies.push(sourceProxy);
    const targets = new Map<Runner, CountingProxy>();
    for (const runner of selected) {
      const proxy = await startCountingProxy((await newRegistry()).host);
      proxies.push(proxy);
      targets.set(runner, proxy);
    }
    tools.allowHttp(proxies.map((p) => p.host));
    for (const caseId of cases) {
      for (const runner of selected.filter((r) => r.cases.includes(caseId))) {
        const target =
          runner === runners.lifeboatEngine && caseId === 'recopy'
            ? targets.get(runners.lifeboat)
            : targets.get(runner);
        if (target === undefined) continue;
        sourceProxy.reset();
        target.reset();
        const m = await runner.run(ctxFor(caseId, target.host, sourceProxy.host));
        counts.push({
          runner: runner.name,
          caseId,
          wallMs: m.wallMs,
          source: sourceProxy.counts(),
          target: target.counts(),
        });
        log(
          `count ${caseId.padEnd(6)} ${runner.name.padEnd(28)} source ${sourceProxy.counts().requests} target ${target.counts().requests}`,
        );
      }
    }
    for (const p of proxies.splice(0)) await p.close();
    for (const r of registries.filter((r) => r !== source)) await stopRegistry(r);
  }

  const profiles: Record<string, ProfileSummary> = {};
  if (!flags['no-profile'] && selected.includes(runners.lifeboat)) {
    log('profiling pass: lifeboat copy under --cpu-prof');
    const target = await newRegistry();
    for (const caseId of cases.filter((c) => c === 'big' || c === 'index')) {
      const dir = join(work, `prof-${caseId}`);
      mkdirSync(dir);
      const m = await runners.lifeboat.run({
        ...ctxFor(caseId, target.host),
        nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      });
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`no CPU profile written for ${caseId}`);
      profiles[`lifeboat copy, ${caseId} (${(m.wallMs / 1000).toFixed(2)} s under the profiler)`] =
        summariseProfile(join(dir, file));
    }
    await stopRegistry(target);
  }

  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      nproc: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      cpu: cpus()[0]?.model ?? 'unknown',
      kernel: release(),
    },
    command: `node_modules/.bin/node bench/copy/main.ts ${process.argv.slice(2).join(' ')}`.trim(),
    load: { before: loadBefore, after: load() },
    iterations,
    cases: Object.fromEntries(cases.map((c) => [c, CASE_TITLES[c]])),
    versions: {
      node: process.version,
      crane: firstLineOf(toolPath('crane'), ['version']),
      regctl: firstLineOf(toolPath('regctl'), ['version', '--format', '{{.VCSTag}}']),
      skopeo: firstLineOf('skopeo', ['--version']),
      registry: firstLineOf(toolPath('registry'), ['--version']),
    },
    roles: Object.fromEntries(selected.map((r): [string, Role] => [r.name, r.role])),
    startup,
    samples,
    counts,
    profiles,
  };
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(flags.out.replace(/\.json$/, '.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min; results in ${flags.out}`);
} finally {
  for (const p of proxies) await p.close();
  for (const r of [...registries]) await r.stop();
  tools.remove();
  rmSync(work, { recursive: true, force: true });
}
