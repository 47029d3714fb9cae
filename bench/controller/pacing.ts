// What paces convergence, for the result file: each ImageBackup's copy as its status records it
// (startedAt, completedAt, attempts), each workload's wait from its image's backup Ready to its
// rewrite, and lifeboat's work queues sampled from its /metrics while it converges.
// All times are on this machine's clock (lifeboat writes its status timestamps from the same clock).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from './kube.ts';
import { percentile } from './report.ts';

/** p50 / p95 / max of a set of durations in seconds (NaN-free: empty sets give zeros and n = 0). */
export interface Spread {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { n: 0, p50: 0, p95: 0, max: 0 };
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    max: round(Math.max(...values)),
  };
}

export interface BackupPacing {
  readonly backups: number;
  readonly ready: number;
  /** Sum and largest of status.attempts over the backups (1 each: no failed attempt). */
  readonly attempts: { readonly total: number; readonly max: number };
  /** completedAt − startedAt of the last attempt, seconds: how long one copy took. */
  readonly copySeconds: Spread;
  /** From lifeboat's start to the first copy started and to the last completed, seconds. */
  readonly firstStartedSeconds: number;
  readonly lastCompletedSeconds: number;
  /**
   * From lifeboat's start to each copy's start, seconds: with the backups all created at once, how
   * long the last of them queued for a copy worker.
   */
  readonly startedSeconds: Spread;
  /** Per workload: from its image's backup Ready (completedAt) to its rewrite seen on the watch, seconds. */
  readonly readyToRewriteSeconds: Spread;
  /** Per workload: from lifeboat's start to its rewrite seen on the watch, seconds. */
  readonly rewriteSeconds: Spread;
}

interface ListedBackup {
  spec: { source: string };
  status?: { phase?: string; startedAt?: string; completedAt?: string | null; attempts?: number };
}

/**
 * Lists the ImageBackups (admin client, outside lifeboat's audit window) and relates them to the
 * workloads' rewrite times. `images`: workload key → source image; `rewrittenAt`: key → local time.
 */
export async function backupPacing(
  admin: AdminClient,
  t0: number,
  images: ReadonlyMap<string, string>,
  rewrittenAt: (key: string) => number | undefined,
): Promise<BackupPacing> {
  const items: ListedBackup[] = [];
  let next: string | undefined;
  // Bounded: one page per 500 backups, and the list has a known end.
  for (let page = 0; page < 1_000; page++) {
    const query = new URLSearchParams({ limit: '500' });
    if (next) query.set('continue', next);
    const body = await admin.must<{ metadata: { continue?: string }; items: ListedBackup[] }>(
      'GET',
      `/apis/lifeboat.dev/v1alpha1/imagebackups?${query.toString()}`,
    );
    items.push(...body.items);
    next = body.metadata.continue || undefined;
    if (!next) break;
  }
  const completedBySource = new Map<string, number>();
  const copy: number[] = [];
  const started: number[] = [];
  const completed: number[] = [];
  let attempts = 0;
  let maxAttempts = 0;
  let ready = 0;
  for (const b of items) {
    const s = b.status ?? {};
    if (s.phase === 'Ready') ready++;
    attempts += s.attempts ?? 0;
    maxAttempts = Math.max(maxAttempts, s.attempts ?? 0);
    const from = s.startedAt ? Date.parse(s.startedAt) : NaN;
    const to = s.completedAt ? Date.parse(s.completedAt) : NaN;
    if (Number.isFinite(from)) started.push((from - t0) / 1000);
    if (Number.isFinite(to)) {
      completed.push((to - t0) / 1000);
      completedBySource.set(b.spec.source, to);
    }
    if (Number.isFinite(from) && Number.isFinite(to)) copy.push((to - from) / 1000);
  }
  const wait: number[] = [];
  const rewrite: number[] = [];
  for (const [key, image] of images) {
    const at = rewrittenAt(key);
    if (at === undefined) continue;
    rewrite.push((at - t0) / 1000);
    const readyAt = completedBySource.get(image);
    if (readyAt !== undefined) wait.push((at - readyAt) / 1000);
  }
  return {
    backups: items.length,
    ready,
    attempts: { total: attempts, max: maxAttempts },
    copySeconds: spread(copy),
    firstStartedSeconds: round(started.length ? Math.min(...started) : 0),
    lastCompletedSeconds: round(completed.length ? Math.max(...completed) : 0),
    startedSeconds: spread(started),
    readyToRewriteSeconds: spread(wait),
    rewriteSeconds: spread(rewrite),
  };
}

/** One reading of lifeboat's work queues: seconds since its start, depth per queue name. */
export interface QueueSample {
  readonly at: number;
  readonly depth: Readonly<Record<string, number>>;
}

export interface QueueSampler {
  /** Stops sampling; the samples so far and the deepest reading of each queue. */
  stop(): { samples: QueueSample[]; maxDepth: Record<string, number> };
}

/** `host:port` of lifeboat's /metrics from its start-up log line (pino JSON), once it is there. */
function metricsAddress(logFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('serving /healthz')) continue;
    try {
      const address = (JSON.parse(line) as { address?: unknown }).address;
      if (typeof address === 'string') return address;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/** `workqueue_depth{name="…"} N` lines of a Prometheus text exposition. */
export function queueDepths(metrics: string): Record<string, number> {
  const depth: Record<string, number> = {};
  for (const m of metrics.matchAll(/^workqueue_depth\{name="([^"]+)"\} (\S+)$/gm)) {
    depth[m[1]!] = Number(m[2]);
  }
  return depth;
}

/**
 * Reads lifeboat's /metrics every `everyMs` until stopped (each request bounded by 2 s; a failed
 * reading is skipped). The cost to lifeboat is one metrics render per reading.
 */
export function sampleQueues(logFile: string, t0: number, everyMs = 5_000): QueueSampler {
  const samples: QueueSample[] = [];
  const maxDepth: Record<string, number> = {};
  const controller = new AbortController();
  void (async () => {
    let address: string | undefined;
    while (!controller.signal.aborted) {
      address ??= metricsAddress(logFile);
      if (address !== undefined) {
        try {
          const response = await fetch(`http://${address}/metrics`, {
            signal: AbortSignal.any([controller.signal, AbortSignal.timeout(2_000)]),
          });
          const depth = queueDepths(await response.text());
          samples.push({ at: Math.round((Date.now() - t0) / 100) / 10, depth });
          for (const [name, d] of Object.entries(depth)) maxDepth[name] = Math.max(maxDepth[name] ?? 0, d);
        } catch {
          // lifeboat busy or stopping: this reading is skipped
        }
      }
      try {
        await sleep(address === undefined ? 200 : everyMs, undefined, { signal: controller.signal });
      } catch {
        return;
      }
    }
  })();
  return {
    stop() {
      controller.abort();
      return { samples, maxDepth };
    },
  };
}
