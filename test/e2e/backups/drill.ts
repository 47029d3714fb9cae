// What the disaster drill (disaster.test.ts) needs beside the backup suite's helpers: a watch of
// every ImageBackup that records each phase it ever had, `lifeboat verify` run as a child process
// against the drill's cluster with run's flags, its table read back, the Events lifeboat records on
// ImageBackups, and a blob deleted by hand from the token-auth backup registry (plain HTTP, as a
// person with the push login would).
import { pino } from 'pino';
import { waitFor, type LocalRegistry } from '../../../src/devenv/index.ts';
import { IMAGE_BACKUPS } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import { createInformer, type KubeApi } from '../../../src/kube/index.ts';
import { lifeboat, type CliRun } from '../cli/run-cli.ts';
import {
  EXCLUDED_NS,
  LIFEBOAT_NS,
  PULL_SECRET,
  WAIT,
  type BackupEnv,
  type Credentials,
} from './backup-env.ts';
import { eventsFor, type EventObject } from './workloads.ts';

/** Events of cluster-scoped objects (ImageBackups) are created in `default`. */
const CLUSTER_EVENTS_NS = 'default';

export interface BackupWatch {
  /** Each backup's phases in the order seen, consecutive repeats folded (`-` for no status yet). */
  phases(): ReadonlyMap<string, readonly string[]>;
  /** The newest object seen under `name`. */
  latest(name: string): ImageBackup | undefined;
  stop(): Promise<void>;
}

/** Watches every ImageBackup (list + watch: each change is delivered, none is sampled). */
export async function watchImageBackups(api: KubeApi): Promise<BackupWatch> {
  const phases = new Map<string, string[]>();
  const latest = new Map<string, ImageBackup>();
  const record = (b: ImageBackup): void => {
    const name = b.metadata.name;
    latest.set(name, b);
    const seen = phases.get(name) ?? [];
    const phase = b.status?.phase ?? '-';
    if (seen.at(-1) !== phase) seen.push(phase);
    phases.set(name, seen);
  };
  const informer = createInformer<ImageBackup>({
    api,
    resource: IMAGE_BACKUPS,
    logger: pino({ level: 'silent' }),
    handlers: { onAdd: record, onUpdate: (_old, b) => record(b) },
  });
  informer.start();
  if (!(await informer.synced)) throw new Error('the ImageBackup watch did not sync');
  return {
    phases: () => phases,
    latest: (name) => latest.get(name),
    stop: () => informer.stop(),
  };
}

/** `lifeboat verify` with the flags `lifeboat run` was given in backup-env.ts, then `extra`. */
export function runVerify(env: BackupEnv, ...extra: string[]): Promise<CliRun> {
  return lifeboat(
    env.commandArgs(
      'verify',
      '--backup-registry',
      env.backupLocation,
      '--backup-pull-secret',
      `${LIFEBOAT_NS}/${PULL_SECRET}`,
      '--insecure-registries',
      env.backup.host,
      '--exclude-namespaces',
      `default,${EXCLUDED_NS}`,
      ...extra,
    ),
  );
}

export interface VerifyRow {
  readonly NAMESPACE: string;
  readonly WORKLOAD: string;
  readonly CONTAINER: string;
  readonly VERDICT: string;
  readonly REASON: string;
}

/** The rows of verify's table (cells start where their header starts, as kubectl aligns them). */
export function verifyRows(stdout: string): VerifyRow[] {
  const block = stdout.split('\n\n')[0] ?? '';
  const [header, ...rows] = block.trimEnd().split('\n');
  const names = (header ?? '').split(/ {3,}/);
  const starts = names.map((n) => (header ?? '').indexOf(n));
  return rows.map(
    (row) =>
      Object.fromEntries(
        names.map((n, i) => [n, row.slice(starts[i], starts[i + 1]).trim()]),
      ) as unknown as VerifyRow,
  );
}

/** The Events lifeboat recorded about the ImageBackup `name` with `reason`. */
export async function backupEvents(api: KubeApi, name: string, reason: string): Promise<EventObject[]> {
  return (await eventsFor(api, CLUSTER_EVENTS_NS, reason)).filter(
    (e) => e.regarding?.kind === 'ImageBackup' && e.regarding.name === name,
  );
}

/** Waits for an Event `reason` about the ImageBackup `name` that `match` accepts; returns it. */
export async function waitBackupEvent(
  api: KubeApi,
  name: string,
  reason: string,
  match: (e: EventObject) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<EventObject> {
  let found: EventObject | undefined;
  await waitFor(
    async () => {
      found = (await backupEvents(api, name, reason)).find(match);
      return found !== undefined;
    },
    { what: `Event ${reason} on ImageBackup ${name}`, timeoutMs, intervalMs: 250 },
  );
  return found!;
}

/**
 * DELETE /v2/{repository}/blobs/{digest} on a token-auth registry with `credentials`: the Bearer
 * challenge, a token for the delete scope, the DELETE. Returns the final HTTP status (202 deleted).
 */
export async function deleteBlob(
  registry: LocalRegistry,
  credentials: Credentials,
  repository: string,
  digest: string,
): Promise<number> {
  const url = `${registry.url}/v2/${repository}/blobs/${digest}`;
  const first = await fetch(url, { method: 'DELETE' });
  await first.body?.cancel();
  const challenge = first.headers.get('www-authenticate') ?? '';
  if (first.status !== 401 || !challenge.startsWith('Bearer ')) return first.status;
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const),
  );
  const tokenUrl = new URL(params.realm ?? '');
  for (const key of ['service', 'scope'] as const) {
    if (params[key] !== undefined) tokenUrl.searchParams.set(key, params[key]);
  }
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const res = await fetch(tokenUrl, { headers: { authorization: `Basic ${basic}` } });
  if (!res.ok) throw new Error(`token for ${params.scope}: HTTP ${res.status}`);
  const { token } = (await res.json()) as { token?: string };
  const second = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  await second.body?.cancel();
  return second.status;
}

/** Waits until the ImageBackup `name`, as the watch saw it last, satisfies `ok`. */
export async function waitBackup(
  watch: BackupWatch,
  name: string,
  what: string,
  ok: (b: ImageBackup) => boolean,
  timeoutMs: number = WAIT.timeoutMs,
): Promise<ImageBackup> {
  await waitFor(
    () => {
      const b = watch.latest(name);
      return b !== undefined && ok(b);
    },
    { what: `ImageBackup ${name}: ${what}`, timeoutMs, intervalMs: 100 },
  ).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}; last status: ${JSON.stringify(watch.latest(name)?.status)}`);
  });
  return watch.latest(name)!;
}
