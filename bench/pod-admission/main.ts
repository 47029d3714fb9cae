// `npm run bench:admission`: what the Pod admission webhook (--rewrite-mode=pods, issue 17) adds to
// Pod creation. One control plane (kwok nodes) and real registries (test/e2e/backups/backup-env.ts);
// `lifeboat run --rewrite-mode=pods` serves the webhook over TLS on loopback, one image has a Ready
// backup, and the API server is given Pods as fast as `--concurrency` clients can create them:
// first with the webhook configured (every Pod is reviewed and moved to the backup), then with the
// MutatingWebhookConfiguration deleted (the same lifeboat process idles). Reported: Pods/s, the
// clients' create latency p50/p99, the webhook's own latency (lifeboat_admission_duration_seconds,
// interpolated in its buckets) and lifeboat's CPU (process_cpu_seconds_total) in each run.
// Pods name a scheduler that does not exist, so they are admitted and stored but never scheduled:
// the measure is admission, not kwok.
import { parseArgs } from 'node:util';
import { freePort, pushImage, waitFor } from '../../src/devenv/index.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../src/kube/index.ts';
import { startBackupEnv } from '../../test/e2e/backups/backup-env.ts';
import { backupsOf, percentile } from '../../test/e2e/backups/suite.ts';
import { createWorkload } from '../../test/e2e/backups/workloads.ts';
import {
  MUTATING_WEBHOOK_CONFIGURATIONS,
  WEBHOOK_CONFIGURATION_NAME,
} from '../../src/controllers/pod-admission/webhook-configuration.ts';

interface PodObject extends KubeObject {
  spec: { containers: { name: string; image: string }[]; [field: string]: unknown };
}

interface RunResult {
  readonly label: string;
  readonly pods: number;
  readonly seconds: number;
  readonly createP50Ms: number;
  readonly createP99Ms: number;
  readonly moved: number;
  readonly webhookP50Ms: number | undefined;
  readonly webhookP99Ms: number | undefined;
  readonly cpuSeconds: number;
}

const { values } = parseArgs({
  options: { pods: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '16' } },
});
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);

const env = await startBackupEnv();
try {
  const image = await pushImage(env.publicSource, 'bench/admission:1', { layers: 1, layerSize: 4096 });
  const source = `${env.publicSource.host}/bench/admission:1`;
  const port = await freePort();
  const lifeboat = env.startLifeboat(
    '--rewrite-mode=pods',
    `--webhook-addr=127.0.0.1:${port}`,
    `--webhook-url=https://127.0.0.1:${port}`,
  );
  const metricsAddress = await lifeboat.address();
  const seed = await env.namespace('bench-seed');
  await createWorkload(env.api, seed, {
    kind: 'Deployment',
    name: 'seed',
    containers: [{ name: 'app', image: source }],
  });
  await waitFor(async () => (await backupsOf(env, source)).some((b) => b.status?.phase === 'Ready'), {
    what: `the backup of ${source} Ready`,
    timeoutMs: 120_000,
  });
  const pods = resourceClient<PodObject>(env.api, RESOURCES.pods);

  const scrape = async (): Promise<string> => (await fetch(`http://${metricsAddress}/metrics`)).text();
  const run = async (label: string, count = PODS): Promise<RunResult> => {
    const ns = await env.namespace(`bench-${label}`);
    const before = await scrape();
    const latencies: number[] = [];
    let moved = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) {
          const t = performance.now();
          const created = await pods.create(
            {
              metadata: { name: `p-${i}` },
              spec: {
                schedulerName: 'none',
                automountServiceAccountToken: false,
                containers: [{ name: 'app', image: source }],
              },
            },
            { namespace: ns },
          );
          latencies.push(performance.now() - t);
          if (created.spec.containers[0]?.image !== source) moved++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await scrape();
    const histogram = histogramDelta(before, after, 'lifeboat_admission_duration_seconds');
    return {
      label,
      pods: count,
      seconds,
      createP50Ms: percentile(latencies, 50),
      createP99Ms: percentile(latencies, 99),
      moved,
      webhookP50Ms: quantileMs(histogram, 0.5),
      webhookP99Ms: quantileMs(histogram, 0.99),
      cpuSeconds: sample(after, 'process_cpu_seconds_total') - sample(before, 'process_cpu_seconds_total'),
    };
  };

  // Warm-up through the webhook (JIT, the API server's and lifeboat's connections), not reported.
  await run('warmup', Math.ceil(PODS / 3));
  const withWebhook = await run('webhook');
  await resourceClient(env.api, MUTATING_WEBHOOK_CONFIGURATIONS).delete(WEBHOOK_CONFIGURATION_NAME);
  // The API server drops a deleted configuration within a second or two; wait until Pods pass unreviewed.
  const probeNs = await env.namespace('bench-probe');
  let probes = 0;
  await waitFor(
    async () => {
      const p = await pods.create(
        {
          metadata: { name: `probe-${probes++}` },
          spec: { schedulerName: 'none', containers: [{ name: 'app', image: source }] },
        },
        { namespace: probeNs },
      );
      return p.spec.containers[0]?.image === source;
    },
    { what: 'Pods created without the webhook', timeoutMs: 30_000, intervalMs: 500 },
  );
  const without = await run('none');
  const results = [without, withWebhook];
  const rate = (r: RunResult) => r.pods / r.seconds;
  const ms = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
  const lines = [
    `Pods: ${PODS}, ${CONCURRENCY} concurrent clients; image ${image.digest.slice(0, 19)}…`,
    '',
    '| run | Pods/s | create p50 ms | create p99 ms | moved to backup | webhook p50 ms | webhook p99 ms | lifeboat CPU s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.label === 'none' ? 'no webhook' : 'webhook'} | ${rate(r).toFixed(0)} | ${ms(r.createP50Ms)} | ${ms(r.createP99Ms)} | ${r.moved}/${r.pods} | ${ms(r.webhookP50Ms)} | ${ms(r.webhookP99Ms)} | ${r.cpuSeconds.toFixed(2)} |`,
    ),
    '',
    `throughput with the webhook: ${(rate(withWebhook) / rate(without)).toFixed(2)}× (target ≥ 0.95×); ` +
      `added create p99: ${(withWebhook.createP99Ms - without.createP99Ms).toFixed(2)} ms (target ≤ 5 ms)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await lifeboat.stop();
} finally {
  await env.stop();
}

/** The value of an unlabelled sample in Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** `le` → cumulative count gained between two scrapes. */
function histogramDelta(before: string, after: string, name: string): [number, number][] {
  const buckets = (text: string) =>
    new Map(
      [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m) => [
        m[1]!,
        Number(m[2]),
      ]),
    );
  const b = buckets(before);
  return [...buckets(after)].map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n - (b.get(le) ?? 0)]);
}

/** The q-quantile in ms, linear within its bucket (as Prometheus' histogram_quantile). */
function quantileMs(buckets: [number, number][], q: number): number | undefined {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / Math.max(1, count - below)) * 1000;
    }
    lower = le;
    below = count;
  }
  return undefined;
}
