// Controller benchmark (issue 14): `lifeboat run` against N rolled-out Deployments on the embedded
// control plane, beside the bare rollout of the same image change by the control plane alone, then a
// latency probe of 50 new Deployments whose images are already backed up. See docs/benchmarks.md.
//   node bench/controller/main.ts --workloads 1000 [--idle-seconds 60] [--probe 50] [--nodes 10]
//     [--pods-per-node N] [--memory-limit-mib 512] [--skip-bare] [--cpu-prof] [--backup-auth htpasswd|token] [--lifeboat-arg=--flag ...]
//     [--out FILE]
//   node bench/controller/main.ts --chaos --workloads 1000   (under faults: chaos.ts)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { summariseProfile } from '../copy/cpu-profile.ts';
import { createToolEnv } from '../copy/tool-env.ts';
import { countRequests } from './audit.ts';
import { watchDeployments } from './deployment-watch.ts';
import { LIFEBOAT_USER, startBenchEnv } from './env.ts';
import { latest, loadNow, log, repoRoot, resultHeader, seconds, startRun, waitAll } from './harness.ts';
import { startLifeboat, type Lifeboat } from './lifeboat.ts';
import { createMemoryCgroup } from './memory-cgroup.ts';
import { backupPacing, sampleQueues, type QueueSampler } from './pacing.ts';
import { percentile, renderReport, type ControllerResult } from './report.ts';
import {
  API_PARALLEL,
  createDeployment,
  createNamespaces,
  mapLimit,
  patchImage,
  planWorkloads,
  pushImages,
} from './workloads.ts';

// --chaos is the same benchmark under faults (docs/reliability.md); chaos.ts runs it and ends the
// process, so nothing below runs then.
if (process.argv.includes('--chaos')) await import('./chaos.ts');

const { values: flags } = parseArgs({
  options: {
    workloads: { type: 'string', default: '1000' },
    'idle-seconds': { type: 'string', default: '60' },
    probe: { type: 'string', default: '50' },
    nodes: { type: 'string', default: '10' },
    'pods-per-node': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'backup-auth': { type: 'string', default: 'htpasswd' },
    'stop-after-seconds': { type: 'string' },
    'memory-limit-mib': { type: 'string' },
    'skip-bare': { type: 'boolean', default: false },
    'lifeboat-arg': { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
  },
});
const N = Number(flags.workloads);
const idleSeconds = Number(flags['idle-seconds']);
const probeCount = Number(flags.probe);
const nodes = Number(flags.nodes);
const backupAuth = flags['backup-auth'];
const memoryLimitMiB =
  flags['memory-limit-mib'] === undefined ? undefined : Number(flags['memory-limit-mib']);
if (memoryLimitMiB !== undefined && !(memoryLimitMiB >= 64))
  throw new Error('--memory-limit-mib is at least 64');
if (backupAuth !== 'htpasswd' && backupAuth !== 'token')
  throw new Error('--backup-auth is htpasswd or token');
if (!(N >= 10 && idleSeconds >= 0 && probeCount >= 1 && nodes >= 1)) {
  throw new Error('--workloads ≥ 10, --idle-seconds ≥ 0, --probe ≥ 1 and --nodes ≥ 1 are required');
}
// Room for every Deployment's old and new pod at once (the bare rollout surges all N together) and
// for the probe, so node capacity never paces a rollout: the control plane's own pace is measured.
const podsPerNode = Number(
  flags['pods-per-node'] ?? Math.max(110, Math.ceil((2 * N + 2 * probeCount) / nodes) + 10),
);
/** Every wait is bounded; these grow with N (the control plane rolls out roughly 15-30 Deployments/s). */
const ROLLOUT_TIMEOUT_MS = 180_000 + N * 400;
const CONVERGE_TIMEOUT_MS = 300_000 + N * 1_000;
const PROBE_TIMEOUT_MS = 180_000;
/**
 * --stop-after-seconds S: a run that has not converged S seconds after the benchmark started stops
 * there and writes a partial result (`-partial` in the name): how far lifeboat got, its CPU, memory,
 * requests and copies so far. For a size that does not fit the time at hand (10,000 here).
 */
const stopAt =
  flags['stop-after-seconds'] === undefined
    ? Infinity
    : Date.now() + Number(flags['stop-after-seconds']) * 1000;

function resultPath(date: string, commit: string, suffix: string): string {
  return join(repoRoot, 'bench/controller/results', `${date.slice(0, 10)}-${N}-${commit}${suffix}.json`);
}

// Clean-up: everything started registers its stop here; it runs once, on success, failure or signal.
const run = startRun();
const runDir = run.dir;

try {
  const loadavgStart = loadNow();
  log(
    `load average ${loadavgStart.join(' ')}; run dir ${runDir}; ${N} workloads, ${nodes} nodes × ${podsPerNode} pods`,
  );
  const env = await startBenchEnv(runDir, { nodes, podsPerNode, backupAuth }, run.onStop);
  const tools = createToolEnv(runDir);
  const set = planWorkloads(N, env.sourceHost);
  const keys = [...set.members.keys()];
  const backupPrefix = `${env.backupHost}/`;

  let t = Date.now();
  log(`pushing ${set.images.length} images with regctl`);
  await pushImages(set.images.length, env.source.host, tools);
  const pushSeconds = seconds(Date.now() - t);

  const watch = await watchDeployments(env.admin, backupPrefix);
  run.onStop(() => Promise.resolve(watch.stop()));
  t = Date.now();
  log(`creating ${set.namespaces.length} namespaces and ${N} Deployments`);
  await createNamespaces(env.admin, set.namespaces, ROLLOUT_TIMEOUT_MS);
  await mapLimit(keys, API_PARALLEL, (key) => createDeployment(env.admin, key, set.members.get(key)!, 'set'));
  const createSeconds = seconds(Date.now() - t);
  t = Date.now();
  await waitAll(
    run,
    watch,
    keys,
    (key, s) => s.rolledOutSince !== undefined && s.image === set.members.get(key),
    'initial rollout',
    ROLLOUT_TIMEOUT_MS,
  );
  const rolloutSeconds = seconds(Date.now() - t);
  log(`set-up done: push ${pushSeconds} s, create ${createSeconds} s, rollout ${rolloutSeconds} s`);
  await sleep(2_000); // let the controller-manager's queues drain before lifeboat's clock starts

  // (a) lifeboat from start to every Deployment rewritten and rolled out.
  const cpuProfDir = flags['cpu-prof'] ? join(runDir, 'cpu-prof') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir);
  const lifeboatArgs = env.runArgs(flags['lifeboat-arg']);
  env.sourceProxy.reset();
  env.backupProxy.reset();
  const t0 = Date.now();
  const memoryCgroup =
    memoryLimitMiB === undefined
      ? undefined
      : createMemoryCgroup(memoryLimitMiB * 1024 * 1024, `lifeboat-bench-${process.pid}`);
  const lifeboat: Lifeboat = startLifeboat(lifeboatArgs, runDir, { cpuProfDir, memoryCgroup });
  run.onStop(async () => {
    await lifeboat.stop();
    memoryCgroup?.remove();
  });
  log(`lifeboat run started (pid ${lifeboat.pid}); waiting for ${N} rewritten and rolled out`);
  const queues = sampleQueues(lifeboat.logFile, t0);
  run.onStop(() => Promise.resolve(void queues.stop()));
  const convergeTimeoutMs = Math.min(CONVERGE_TIMEOUT_MS, stopAt - Date.now());
  try {
    await waitAll(
      run,
      watch,
      keys,
      (_, s) => s.image.startsWith(backupPrefix) && s.rolledOutSince !== undefined,
      'rewritten and rolled out',
      convergeTimeoutMs,
      lifeboat.exitReason,
    );
  } catch (error) {
    if (Date.now() < stopAt || lifeboat.exitReason() !== undefined) throw error;
    await writePartial(lifeboat, t0, queues.stop());
    throw new Error(`stopped by --stop-after-seconds before convergence: partial result written`, {
      cause: error,
    });
  }
  const tConverged = Date.now();
  const cpuAtConvergence = lifeboat.cpuSeconds();
  const rssAtConvergence = lifeboat.peakRssBytes();
  const convergedMs = latest(watch, keys, (s) => s.rolledOutSince) - t0;
  const firstRewriteMs =
    -latest(watch, keys, (s) => (s.rewrittenAt === undefined ? undefined : -s.rewrittenAt)) - t0;
  const imageChanges = keys.reduce((sum, k) => sum + watch.states.get(k)!.imageChanges, 0);
  const registryConverge = { source: env.sourceProxy.counts(), backup: env.backupProxy.counts() };
  const queueReadings = queues.stop();
  const pacing = await backupPacing(env.admin, t0, set.members, (key) => watch.states.get(key)?.rewrittenAt);
  log(
    `converged in ${seconds(convergedMs)} s (first rewrite at ${seconds(firstRewriteMs)} s), CPU ${cpuAtConvergence} s`,
  );

  // Idle: CPU over the window after convergence.
  const idleFrom = Date.now();
  const cpuIdleStart = lifeboat.cpuSeconds();
  await sleep(idleSeconds * 1_000);
  const idleCpu = lifeboat.cpuSeconds() - cpuIdleStart;
  const idleTo = Date.now();
  const stillUp = lifeboat.exitReason();
  if (stillUp !== undefined) throw new Error(stillUp);
  log(`idle ${idleSeconds} s: ${idleCpu.toFixed(2)} s CPU`);

  // (c) The latency probe: new Deployments whose images are backed up, spread over the namespaces.
  // Timed from creation (first seen on the watch) to lifeboat's patch seen on the watch: lifeboat
  // rewrites a workload whose backups are Ready without waiting for it to be Available (the old
  // pod's image is pullable), so "Available → patch" is often negative and says little; it is kept
  // beside the headline for issue 14's wording.
  const usedIn = new Map<string, Set<string>>();
  for (const [key, image] of set.members) {
    const ns = key.split('/')[0]!;
    if (!usedIn.has(ns)) usedIn.set(ns, new Set());
    usedIn.get(ns)!.add(image);
  }
  const probes = Array.from({ length: probeCount }, (_, i) => {
    const ns = set.namespaces[i % set.namespaces.length]!;
    const image = set.images[(i * 7 + 3) % set.images.length]!;
    return { key: `${ns}/probe-${i}`, image, imageInNamespace: usedIn.get(ns)?.has(image) === true };
  });
  env.sourceProxy.reset();
  env.backupProxy.reset();
  const probeFrom = Date.now();
  log(`latency probe: ${probeCount} new Deployments`);
  await Promise.all(probes.map((p) => createDeployment(env.admin, p.key, p.image, 'probe')));
  const probeKeys = probes.map((p) => p.key);
  await waitAll(
    run,
    watch,
    probeKeys,
    (_, s) => s.rewrittenAt !== undefined && s.availableAt !== undefined,
    'probe Deployments patched',
    PROBE_TIMEOUT_MS,
    lifeboat.exitReason,
  );
  const probeTo = Date.now();
  const registryProbe = { source: env.sourceProxy.counts(), backup: env.backupProxy.counts() };
  const samples = probes.map((p) => {
    const s = watch.states.get(p.key)!;
    return {
      key: p.key,
      ms: s.rewrittenAt! - s.seenAt,
      availableToPatchMs: s.rewrittenAt! - s.availableAt!,
      imageInNamespace: p.imageInNamespace,
    };
  });
  const latencies = samples.map((s) => s.ms);
  const fromAvailable = samples.map((s) => s.availableToPatchMs);
  const rssEnd = lifeboat.peakRssBytes();
  log(
    `probe, created → patched: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms; stopping lifeboat`,
  );
  await lifeboat.stop();

  // (b) The bare rollout: lifeboat stopped, the benchmark sets every Deployment's image back to its
  // source reference at once (an image change like lifeboat's), and the control plane rolls them out.
  // --skip-bare leaves it out (a second run of one size, e.g. under --memory-limit-mib).
  let bare: { bareMs: number; patchSeconds: number } | undefined;
  if (!flags['skip-bare']) {
    await sleep(2_000);
    const bareFrom = Date.now();
    log(`bare rollout: patching ${N} Deployments at once`);
    await mapLimit(keys, 64, (key) => patchImage(env.admin, key, set.members.get(key)!));
    const patchSeconds = seconds(Date.now() - bareFrom);
    await waitAll(
      run,
      watch,
      keys,
      (key, s) => s.image === set.members.get(key) && s.rolledOutSince !== undefined,
      'bare rollout',
      CONVERGE_TIMEOUT_MS,
    );
    bare = { bareMs: latest(watch, keys, (s) => s.rolledOutSince) - bareFrom, patchSeconds };
    log(`bare rollout: ${seconds(bare.bareMs)} s`);
  }

  const requests = await countRequests(env.auditLog, LIFEBOAT_USER, [
    { name: 'converge', from: t0, to: tConverged },
    { name: 'idle', from: idleFrom, to: idleTo },
    { name: 'probe', from: probeFrom, to: probeTo },
  ]);
  const profileFile = cpuProfDir ? readdirSync(cpuProfDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  const header = resultHeader('controller', loadavgStart);
  const result: ControllerResult = {
    ...header,
    shape: {
      workloads: N,
      namespaces: set.namespaces.length,
      images: set.images.length,
      nodes,
      podsPerNode,
      backupAuth,
      ...(memoryLimitMiB === undefined ? {} : { memoryLimitMiB }),
      lifeboatArgs: lifeboatArgs.filter((a) => !a.startsWith('/')),
    },
    setup: { pushSeconds, createSeconds, rolloutSeconds },
    lifeboat: {
      convergedSeconds: seconds(convergedMs),
      firstRewriteSeconds: seconds(firstRewriteMs),
      imageChanges,
      cpuSecondsAtConvergence: cpuAtConvergence,
      cpuMsPerWorkload: (cpuAtConvergence * 1000) / N,
      peakRssBytesAtConvergence: rssAtConvergence,
      peakRssBytes: rssEnd,
      idle: { seconds: idleSeconds, cpuSeconds: Math.round(idleCpu * 100) / 100 },
      requests: { converge: requests.converge!, idle: requests.idle!, probe: requests.probe! },
      registry: { converge: registryConverge, probe: registryProbe },
      pacing: { ...pacing, queues: queueReadings },
      ...(profileFile ? { cpuProfile: summariseProfile(join(cpuProfDir!, profileFile), 25) } : {}),
    },
    ...(bare === undefined
      ? {}
      : {
          bare: { seconds: seconds(bare.bareMs), patchSeconds: bare.patchSeconds },
          ratio: Math.round((convergedMs / bare.bareMs) * 100) / 100,
        }),
    probe: {
      count: probeCount,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: Math.max(...latencies),
      from: 'created',
      availableToPatch: { p50Ms: percentile(fromAvailable, 50), p95Ms: percentile(fromAvailable, 95) },
      samples,
    },
  };
  const out = flags.out ?? resultPath(header.date, header.commit, '');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderReport(result);
  writeFileSync(out.replace(/\.json$/, '.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`results in ${out}`);

  /** The partial result of a run stopped by --stop-after-seconds while lifeboat converged. */
  async function writePartial(lifeboat: Lifeboat, t0: number, queues: ReturnType<QueueSampler['stop']>) {
    const now = Date.now();
    const states = keys.map((k) => watch.states.get(k)!);
    const rewritten = states.filter((s) => s.image.startsWith(backupPrefix)).length;
    const rolledOut = states.filter(
      (s) => s.image.startsWith(backupPrefix) && s.rolledOutSince !== undefined,
    ).length;
    const cpu = lifeboat.cpuSeconds();
    const rss = lifeboat.peakRssBytes();
    const registry = { source: env.sourceProxy.counts(), backup: env.backupProxy.counts() };
    const pacing = await backupPacing(
      env.admin,
      t0,
      set.members,
      (key) => watch.states.get(key)?.rewrittenAt,
    );
    await lifeboat.stop();
    const requests = await countRequests(env.auditLog, LIFEBOAT_USER, [
      { name: 'converge', from: t0, to: now },
    ]);
    const header = resultHeader('controller', loadavgStart);
    const partial = {
      ...header,
      partial: true,
      shape: {
        workloads: N,
        namespaces: set.namespaces.length,
        images: set.images.length,
        nodes,
        podsPerNode,
        backupAuth,
        lifeboatArgs: lifeboatArgs.filter((a) => !a.startsWith('/')),
      },
      setup: { pushSeconds, createSeconds, rolloutSeconds },
      lifeboat: {
        stoppedAfterSeconds: seconds(now - t0),
        rewritten,
        rewrittenAndRolledOut: rolledOut,
        cpuSeconds: cpu,
        cpuMsPerRewrite: rewritten > 0 ? (cpu * 1000) / rewritten : null,
        peakRssBytes: rss,
        requests: requests.converge!,
        registry,
        pacing: { ...pacing, queues },
      },
    };
    const file = flags.out ?? resultPath(header.date, header.commit, '-partial');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(partial, null, 2)}\n`);
    log(
      `partial result in ${file}: ${rewritten}/${N} rewritten (${rolledOut} rolled out) after ${seconds(now - t0)} s, CPU ${cpu} s, peak RSS ${Math.round(rss / 1e6)} MB`,
    );
  }
} catch (error) {
  process.exitCode = 1;
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  const lifeboatLog = join(runDir, 'lifeboat.log');
  try {
    const tail = execFileSync('tail', ['-n', '20', lifeboatLog], { encoding: 'utf8' });
    log(`last lines of lifeboat's log:\n${tail}`);
  } catch {
    // lifeboat never started
  }
} finally {
  await run.cleanup();
}
// Nothing of the run may linger (a half-closed socket would hold the loop open).
process.exit();
