// The controller benchmark under faults (issue 14 item 5; docs/reliability.md): the same workload set
// and environment as main.ts, but lifeboat runs as TWO replicas with leader election, and while they
// converge: 5 % of registry requests (source and backup) get a 503 or a connection reset from
// test/e2e's fault proxy, the backup registry is down for 30 s (same storage, port and users), the
// kube-apiserver is restarted once and the leader is SIGKILLed once. A replica that exits is started
// again after 2 s, as its Deployment would. test/e2e's auditor checks throughout, about once a second,
// that no Deployment references a backup image whose manifest the backup registry lacks.
//   npm run bench:controller -- --chaos --workloads 1000 [--registry-down-seconds 30]
//     [--fault-rate 0.05] [--seed 1] [--nodes 10] [--pods-per-node N] [--lifeboat-arg=--flag ...] [--out FILE]
// The faults come one after another, each when a share of the Deployments is rewritten (the outage
// at 10 %, the apiserver at 30 %, the leader at 50 %; a gate not reached in time injects anyway), so
// each lands while lifeboat is converging; the result records the progress at each.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createKubeApi, loadKubeConfig } from '../../src/kube/index.ts';
import { startAuditor } from '../../test/e2e/backups/auditor.ts';
import { createToolEnv } from '../copy/tool-env.ts';
import { countRequests } from './audit.ts';
import { renderChaosReport, type ChaosResult, type FaultRecord } from './chaos-report.ts';
import { watchDeployments } from './deployment-watch.ts';
import { LIFEBOAT_NS, LIFEBOAT_USER, startBenchEnv } from './env.ts';
import { latest, loadNow, log, repoRoot, resultHeader, seconds, startRun, waitAll } from './harness.ts';
import { startLifeboat, type Lifeboat } from './lifeboat.ts';
import { randomFaultRules } from './random-faults.ts';
import {
  createDeployment,
  createNamespaces,
  mapLimit,
  planWorkloads,
  pushImages,
  API_PARALLEL,
} from './workloads.ts';

const { values: flags } = parseArgs({
  options: {
    chaos: { type: 'boolean', default: true },
    workloads: { type: 'string', default: '1000' },
    nodes: { type: 'string', default: '10' },
    'pods-per-node': { type: 'string' },
    'registry-down-seconds': { type: 'string', default: '30' },
    'fault-rate': { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '1' },
    'lifeboat-arg': { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
  },
});
const N = Number(flags.workloads);
const nodes = Number(flags.nodes);
const downSeconds = Number(flags['registry-down-seconds']);
const faultRate = Number(flags['fault-rate']);
const seed = Number(flags.seed);
if (!(N >= 10 && nodes >= 1 && downSeconds >= 0 && faultRate >= 0 && faultRate < 1)) {
  throw new Error('--workloads ≥ 10, --nodes ≥ 1, --registry-down-seconds ≥ 0 and 0 ≤ --fault-rate < 1');
}
const podsPerNode = Number(flags['pods-per-node'] ?? Math.max(110, Math.ceil((2 * N) / nodes) + 10));
const ROLLOUT_TIMEOUT_MS = 180_000 + N * 400;
/** main.ts's bound plus the outage, an apiserver start and a lease expiry. */
const CONVERGE_TIMEOUT_MS = 300_000 + N * 1_000 + downSeconds * 1_000 + 180_000;
/** How long each fault waits for its progress gate before it is injected anyway. */
const GATE_TIMEOUT_MS = 120_000 + N * 200;
const REPLICAS = 2;
/** A crashed replica comes back after this (the kubelet's first restart back-off is 10 s; shorter here). */
const RESTART_DELAY_MS = 2_000;
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${LIFEBOAT_NS}/leases/lifeboat`;

const run = startRun();
/** Each replica's log, for the tail printed on failure. */
const logFiles: string[] = [];

/** The last `n` lines of a log file (empty when unreadable). */
function lastLines(file: string, n: number): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n);
  } catch {
    return [];
  }
}

interface Replica {
  readonly name: string;
  readonly lifeboat: Lifeboat;
  exitNoted?: number;
}

try {
  const loadavgStart = loadNow();
  log(`--chaos: load average ${loadavgStart.join(' ')}; run dir ${run.dir}; ${N} workloads`);
  const env = await startBenchEnv(run.dir, { nodes, podsPerNode, faults: true }, run.onStop);
  const faults = env.faultProxies!;
  const set = planWorkloads(N, env.sourceHost);
  const keys = [...set.members.keys()];
  const backupPrefix = `${env.backupHost}/`;
  log(`pushing ${set.images.length} images with regctl`);
  await pushImages(set.images.length, env.source.host, createToolEnv(run.dir));
  // The watch outlives an apiserver restart: up to 300 reconnects 2 s apart.
  const watch = await watchDeployments(env.admin, backupPrefix, { maxFailures: 300 });
  run.onStop(() => Promise.resolve(watch.stop()));
  log(`creating ${set.namespaces.length} namespaces and ${N} Deployments`);
  await createNamespaces(env.admin, set.namespaces, ROLLOUT_TIMEOUT_MS);
  await mapLimit(keys, API_PARALLEL, (key) => createDeployment(env.admin, key, set.members.get(key)!, 'set'));
  await waitAll(
    run,
    watch,
    keys,
    (key, s) => s.rolledOutSince !== undefined && s.image === set.members.get(key),
    'initial rollout',
    ROLLOUT_TIMEOUT_MS,
  );
  await sleep(2_000);

  // The auditor reads the backup registry directly (never through the fault proxy, so an injected
  // 503 is no finding) and knows the images by the host lifeboat writes into them.
  const auditApi = createKubeApi({ kubeConfig: loadKubeConfig(env.cp.kubeconfigPath) });
  run.onStop(() => auditApi.close());
  const auditor = startAuditor({
    api: auditApi,
    backup: { ...env.backup, host: env.backupHost },
    intervalMs: 1_000,
  });
  run.onStop(async () => void (await auditor.stop()));

  const injected = [
    ...randomFaultRules('source', faults.source, faultRate, seed),
    ...randomFaultRules('backup', faults.backup, faultRate, seed + 1),
  ];
  env.sourceProxy.reset();
  env.backupProxy.reset();

  // Two replicas; one that exits (SIGKILLed, or exiting on a lost lease) is replaced after 2 s.
  const args = env.runArgs(flags['lifeboat-arg'], { leaderElect: true });
  const replicas: Replica[] = [];
  const slots: Replica[] = [];
  const exits: ChaosResult['faults']['replicaExits'][number][] = [];
  let stopping = false;
  const start = (slot: number): Replica => {
    const name = `replica-${slot}-${replicas.filter((r) => r.name.startsWith(`replica-${slot}-`)).length}`;
    const dir = join(run.dir, name);
    mkdirSync(dir);
    const replica: Replica = { name, lifeboat: startLifeboat(args, dir) };
    replicas.push(replica);
    logFiles.push(replica.lifeboat.logFile);
    slots[slot] = replica;
    log(`${name} started (pid ${replica.lifeboat.pid})`);
    return replica;
  };
  const t0 = Date.now();
  for (let slot = 0; slot < REPLICAS; slot++) start(slot);
  run.onStop(async () => {
    stopping = true;
    await Promise.all(replicas.map((r) => r.lifeboat.stop()));
  });
  const supervisor = (async () => {
    while (!stopping) {
      for (let slot = 0; slot < REPLICAS; slot++) {
        const current = slots[slot]!;
        const reason = current.lifeboat.exitReason();
        if (reason === undefined) continue;
        if (current.exitNoted === undefined) {
          current.exitNoted = Date.now();
          exits.push({
            replica: current.name,
            reason,
            atSeconds: seconds(Date.now() - t0),
            lastLogLines: lastLines(current.lifeboat.logFile, 5),
          });
          log(`${current.name}: ${reason}`);
        } else if (Date.now() - current.exitNoted >= RESTART_DELAY_MS && !stopping) start(slot);
      }
      await sleep(250);
    }
  })();

  const rewritten = (): number =>
    keys.filter((k) => watch.states.get(k)?.image.startsWith(backupPrefix) === true).length;
  /** Waits (bounded) until `share` of the Deployments are rewritten; true when reached. */
  const gate = async (share: number): Promise<boolean> => {
    const deadline = Date.now() + GATE_TIMEOUT_MS;
    while (rewritten() < share * N) {
      if (Date.now() > deadline) return false;
      if (run.signalled()) throw new Error('interrupted');
      const failure = watch.failure();
      if (failure !== undefined) throw new Error(failure);
      await sleep(200);
    }
    return true;
  };
  const faultLog: FaultRecord[] = [];
  const inject = async (what: string, share: number, act: () => Promise<string | undefined>) => {
    const reached = await gate(share);
    const at = Date.now();
    const progress = rewritten();
    log(`fault: ${what} (${progress}/${N} rewritten${reached ? '' : `, gate ${share * 100} % not reached`})`);
    const detail = await act();
    faultLog.push({
      what,
      gate: share,
      gateReached: reached,
      atSeconds: seconds(at - t0),
      rewrittenAtInjection: progress,
      tookSeconds: seconds(Date.now() - at),
      ...(detail === undefined ? {} : { detail }),
    });
  };

  const faultsDone = (async () => {
    await inject(`backup registry down for ${downSeconds} s`, 0.1, async () => {
      await env.backup.stopFor!(downSeconds * 1_000);
      return undefined;
    });
    await inject('kube-apiserver restarted', 0.3, async () => {
      await env.cp.restartApiserver();
      return undefined;
    });
    await inject('leader SIGKILLed', 0.5, async () => {
      // The Lease names the leader by identity; each replica logs its identity when it starts.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const lease = await env.admin.call<{ spec?: { holderIdentity?: string } }>('GET', LEASE_PATH);
        const holder = lease.status === 200 ? lease.body.spec?.holderIdentity : undefined;
        const leader = slots.find(
          (r) =>
            holder !== undefined &&
            r.lifeboat.exitReason() === undefined &&
            readFileSync(r.lifeboat.logFile, 'utf8').includes(`"identity":"${holder}"`),
        );
        if (leader !== undefined) {
          await leader.lifeboat.kill();
          return `${leader.name} (${holder})`;
        }
        if (Date.now() > deadline) throw new Error(`no running replica holds the Lease (holder ${holder})`);
        await sleep(500);
      }
    });
  })();
  let faultFailure: string | undefined;
  faultsDone.catch((error: unknown) => (faultFailure = `a fault failed: ${(error as Error).message}`));

  log(`${REPLICAS} replicas started; waiting for ${N} rewritten and rolled out under faults`);
  await waitAll(
    run,
    watch,
    keys,
    (_, s) => s.image.startsWith(backupPrefix) && s.rolledOutSince !== undefined,
    'rewritten and rolled out',
    CONVERGE_TIMEOUT_MS,
    () => faultFailure,
  );
  const tConverged = Date.now();
  await faultsDone;
  const convergedMs = latest(watch, keys, (s) => s.rolledOutSince) - t0;
  const cpuSeconds = replicas.reduce((sum, r) => sum + r.lifeboat.cpuSeconds(), 0);
  const peakRss = Math.max(...replicas.map((r) => r.lifeboat.peakRssBytes()));
  log(`converged in ${seconds(convergedMs)} s; ${faultLog.length} faults injected`);
  // One more auditor round over the converged state, then its verdict.
  const roundsAtConvergence = auditor.rounds();
  const auditDeadline = Date.now() + 60_000;
  while (auditor.rounds() < roundsAtConvergence + 2 && Date.now() < auditDeadline) await sleep(250);
  const violations = await auditor.stop();
  stopping = true;
  await supervisor;
  await Promise.all(replicas.map((r) => r.lifeboat.stop()));

  const perDeployment = keys.map((k) => ({ key: k, changes: watch.states.get(k)!.imageChanges }));
  const faultCounts = (proxy: typeof faults.source) => ({
    requests: proxy.requests.length,
    faulted: proxy.requests.filter((r) => r.faulted).length,
  });
  const injectedCounts = injected.map((r) => ({ proxy: r.proxy, action: r.action, hits: r.hits() }));
  const requests = await countRequests(env.auditLog, LIFEBOAT_USER, [
    { name: 'converge', from: t0, to: tConverged },
  ]);
  const converge = requests.converge!;
  const leaseWrites = Object.entries(converge.byVerbResource)
    .filter(
      ([k]) =>
        k.endsWith(' leases') && !k.startsWith('get ') && !k.startsWith('list ') && !k.startsWith('watch '),
    )
    .reduce((sum, [, n]) => sum + n, 0);
  const header = resultHeader('controller-chaos', loadavgStart);
  const result: ChaosResult = {
    ...header,
    shape: {
      workloads: N,
      namespaces: set.namespaces.length,
      images: set.images.length,
      nodes,
      podsPerNode,
      replicas: REPLICAS,
      lifeboatArgs: args.filter((a) => !a.startsWith('/')),
    },
    faults: {
      schedule: faultLog,
      registryFaultRate: faultRate,
      seed,
      registryRequests: {
        source: faultCounts(faults.source),
        backup: faultCounts(faults.backup),
      },
      injected: injectedCounts,
      replicaExits: exits,
      replicasStarted: replicas.length,
    },
    convergedSeconds: seconds(convergedMs),
    auditor: { rounds: auditor.rounds(), checks: auditor.checks(), violations },
    rewrites: {
      deployments: N,
      changedOnce: perDeployment.filter((d) => d.changes === 1).length,
      changedMoreThanOnce: perDeployment.filter((d) => d.changes > 1),
      neverChanged: perDeployment.filter((d) => d.changes === 0).map((d) => d.key),
    },
    requests: converge,
    writesPerWorkload: converge.writes / N,
    leaseWrites,
    writesPerWorkloadWithoutLeases: (converge.writes - leaseWrites) / N,
    cpuSeconds,
    cpuMsPerWorkload: (cpuSeconds * 1000) / N,
    peakRssBytes: peakRss,
    registry: { source: env.sourceProxy.counts(), backup: env.backupProxy.counts() },
  };
  const out =
    flags.out ??
    join(
      repoRoot,
      'bench/controller/results',
      `${header.date.slice(0, 10)}-chaos-${N}-${header.commit}.json`,
    );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderChaosReport(result);
  writeFileSync(out.replace(/\.json$/, '.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`results in ${out}`);
  if (violations.length > 0 || result.rewrites.changedOnce !== N) process.exitCode = 1;
} catch (error) {
  process.exitCode = 1;
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  for (const file of logFiles) {
    try {
      log(`last lines of ${file}:\n${execFileSync('tail', ['-n', '15', file], { encoding: 'utf8' })}`);
    } catch {
      // never written
    }
  }
} finally {
  await run.cleanup();
}
// Nothing of the run may linger (a half-closed socket would hold the loop open).
process.exit();
