// The backup workflow's end-to-end environment (issue 9): its OWN control plane with two kwok nodes
// (the controller acts on every namespace, so the shared one is not usable: see
// test/e2e/pull-secrets/pull-secrets.test.ts), three real registries (a public source without auth,
// a private source behind htpasswd, a token-auth backup registry), the ImageBackup CRD, and the
// Secrets `lifeboat run` is given: push credentials for the backup registry and the read-only pull
// secret it distributes. Nothing here uses lifeboat's own registry or copy code: fixtures are pushed
// by crane, checks are made by crane or plain HTTP (registry-check.ts).
import { randomBytes } from 'node:crypto';
import {
  startControlPlane,
  startRegistry,
  waitFor,
  type ControlPlane,
  type ControlPlaneOptions,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import {
  createKubeApi,
  loadKubeConfig,
  RESOURCES,
  resourceClient,
  type KubeApi,
  type KubeObject,
  type NamedObject,
} from '../../../src/kube/index.ts';
import { imageBackupCrd } from '../../../src/controllers/api/crd.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';

export const LIFEBOAT_NS = 'lifeboat-system';
export const PUSH_SECRET = 'backup-push';
export const PULL_SECRET = 'backup-pull';
/** The copy of the pull secret lifeboat puts in each namespace (the `--pull-secret-name` default). */
export const PULL_SECRET_COPY = 'lifeboat-pull';
/** The repository prefix inside the backup registry (`--backup-registry HOST/lifeboat`). */
export const BACKUP_PREFIX = 'lifeboat';
/** A namespace every `lifeboat run` of these tests is given with `--exclude-namespaces`. */
export const EXCLUDED_NS = 'backups-excluded';
/** Every bounded wait of the suite that is not about the 50-workload set. */
export const WAIT = { timeoutMs: 90_000, intervalMs: 100 } as const;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface BackupEnv {
  readonly cp: ControlPlane;
  readonly api: KubeApi;
  /** Source registry without auth. */
  readonly publicSource: LocalRegistry;
  /** Source registry behind htpasswd: anonymous reads are refused. */
  readonly privateSource: LocalRegistry;
  /** Token-auth backup registry; `username` may push, `readerUsername` only pull. */
  readonly backup: LocalRegistry;
  /** `{backup host}/lifeboat`, the `--backup-registry` value. */
  readonly backupLocation: string;
  /** The arguments of `lifeboat run` against this environment, then `extra`. */
  runArgs(...extra: string[]): string[];
  /** Starts `lifeboat run` with runArgs(...extra); the process is killed by `stop()` if still up. */
  startLifeboat(...extra: string[]): LifeboatProcess;
  /** Arguments of another lifeboat command (`restore`) against this cluster. */
  commandArgs(command: string, ...extra: string[]): string[];
  /** Creates a namespace `<prefix>-<random>` (or exactly `name` when given) and returns its name. */
  namespace(prefix: string, options?: { readonly exactName?: boolean }): Promise<string>;
  /** Creates a dockerconfigjson Secret in `namespace` holding `credentials` for `registry`. */
  dockerConfigSecret(
    namespace: string,
    name: string,
    registry: LocalRegistry,
    credentials: Credentials,
  ): Promise<void>;
  stop(): Promise<void>;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function dockerConfigJson(registry: LocalRegistry, credentials: Credentials): string {
  return JSON.stringify({
    auths: { [registry.host]: { auth: b64(`${credentials.username}:${credentials.password}`) } },
  });
}

export function pushCredentials(registry: LocalRegistry): Credentials {
  return { username: registry.username!, password: registry.password! };
}

export function readerCredentials(registry: LocalRegistry): Credentials {
  return { username: registry.readerUsername!, password: registry.readerPassword! };
}

interface Crd extends NamedObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/**
 * `audit`: the control plane's audit log (test/e2e/charts measures the chart's RBAC with it).
 * `backupRegistry`: starts the backup registry instead of a token-auth `startRegistry` (the drill's
 * can be stopped and garbage-collected: gc-backup-registry.ts); it needs push and read-only users.
 */
export async function startBackupEnv(
  options: {
    readonly audit?: ControlPlaneOptions['audit'];
    readonly backupRegistry?: () => Promise<LocalRegistry>;
  } = {},
): Promise<BackupEnv> {
  const started: { stop(): Promise<void> }[] = [];
  const processes: LifeboatProcess[] = [];
  try {
    const cp = await startControlPlane({ nodes: 2, audit: options.audit });
    started.push(cp);
    const api = createKubeApi({ kubeConfig: loadKubeConfig(cp.kubeconfigPath), qps: 0 });
    started.push({ stop: () => api.close() });
    const [publicSource, privateSource, backup] = await Promise.all([
      startRegistry({ auth: 'none' }),
      startRegistry({ auth: 'htpasswd' }),
      options.backupRegistry ? options.backupRegistry() : startRegistry({ auth: 'token' }),
    ]);
    started.push(publicSource, privateSource, backup);

    const crd = imageBackupCrd();
    const crds = resourceClient<Crd>(api, RESOURCES.customResourceDefinitions);
    await crds.create(crd);
    await waitFor(
      async () =>
        (await crds.get(crd.metadata.name)).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ) === true,
      { what: 'ImageBackup CRD Established', ...WAIT },
    );

    const namespaces = resourceClient(api, RESOURCES.namespaces);
    const secrets = resourceClient<KubeObject & { type?: string; data?: Record<string, string> }>(
      api,
      RESOURCES.secrets,
    );
    const dockerConfigSecret: BackupEnv['dockerConfigSecret'] = async (ns, name, registry, credentials) => {
      await secrets.create(
        {
          metadata: { name },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64(dockerConfigJson(registry, credentials)) },
        },
        { namespace: ns },
      );
    };
    await namespaces.create({ metadata: { name: LIFEBOAT_NS } });
    await namespaces.create({ metadata: { name: EXCLUDED_NS } });
    await dockerConfigSecret(LIFEBOAT_NS, PUSH_SECRET, backup, pushCredentials(backup));
    await dockerConfigSecret(LIFEBOAT_NS, PULL_SECRET, backup, readerCredentials(backup));

    const backupLocation = `${backup.host}/${BACKUP_PREFIX}`;
    const kubeconfig = ['--kubeconfig', cp.kubeconfigPath];
    const runArgs = (...extra: string[]): string[] => [
      'run',
      ...kubeconfig,
      '--backup-registry',
      backupLocation,
      '--insecure-registries',
      [publicSource.host, privateSource.host, backup.host].join(','),
      '--backup-push-secret',
      `${LIFEBOAT_NS}/${PUSH_SECRET}`,
      '--backup-pull-secret',
      `${LIFEBOAT_NS}/${PULL_SECRET}`,
      '--no-leader-elect',
      '--metrics-addr',
      '127.0.0.1:0',
      '--exclude-namespaces',
      `default,${EXCLUDED_NS}`,
      ...extra,
    ];
    return {
      cp,
      api,
      publicSource,
      privateSource,
      backup,
      backupLocation,
      runArgs,
      startLifeboat(...extra) {
        const p = startLifeboat(runArgs(...extra));
        processes.push(p);
        return p;
      },
      commandArgs: (command, ...extra) => [command, ...kubeconfig, ...extra],
      async namespace(prefix, options = {}) {
        const name = options.exactName ? prefix : `${prefix}-${randomBytes(3).toString('hex')}`;
        await namespaces.create({ metadata: { name } });
        // Pods are refused until the service-account controller made `default`.
        await waitFor(
          async () =>
            (await resourceClient(api, RESOURCES.serviceAccounts).find('default', { namespace: name })) !==
            undefined,
          { what: `the default service account of ${name}`, ...WAIT },
        );
        return name;
      },
      dockerConfigSecret,
      async stop() {
        for (const p of processes) await p.stop('SIGKILL');
        for (const s of [...started].reverse()) await s.stop();
      },
    };
  } catch (error) {
    for (const p of processes) await p.stop('SIGKILL');
    for (const s of [...started].reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
}
