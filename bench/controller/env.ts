// The benchmark's environment, all on loopback: the control plane of src/devenv (etcd, kube-apiserver
// with an audit log of lifeboat's ServiceAccount, controller-manager at --kube-api-qps 100,
// scheduler, kwok nodes), a token-less source registry and an htpasswd backup registry, each behind
// a counting proxy (lifeboat only ever sees the proxies), lifeboat's RBAC and CRD from deploy/, and a
// kubeconfig holding a token of lifeboat's ServiceAccount (so the audit log tells its requests apart).
// With `faults` (--chaos), test/e2e's fault proxy stands in front of each counting proxy, and lifeboat
// and the Deployments see the fault proxies instead.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startControlPlane,
  startRegistry,
  waitFor,
  type ControlPlane,
  type LocalRegistry,
} from '../../src/devenv/index.ts';
import { startCountingProxy, type CountingProxy } from '../copy/counting-proxy.ts';
import { startFaultProxy, type FaultProxy } from '../../test/e2e/registry/fault-proxy.ts';
import { createAdminClient, type AdminClient } from './kube.ts';

export const LIFEBOAT_NS = 'lifeboat-system';
export const LIFEBOAT_USER = `system:serviceaccount:${LIFEBOAT_NS}:lifeboat`;
const PUSH_SECRET = 'lifeboat-backup-push';
const PULL_SECRET = 'lifeboat-backup-pull';
const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
/** Where each kind of deploy/ manifest is created. */
const PATHS: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  ServiceAccount: `/api/v1/namespaces/${LIFEBOAT_NS}/serviceaccounts`,
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: `/apis/rbac.authorization.k8s.io/v1/namespaces/${LIFEBOAT_NS}/roles`,
  RoleBinding: `/apis/rbac.authorization.k8s.io/v1/namespaces/${LIFEBOAT_NS}/rolebindings`,
  CustomResourceDefinition: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
};
const MANIFESTS = [
  '00-namespace.json',
  '01-serviceaccount.json',
  '02-clusterrole.json',
  '03-clusterrolebinding.json',
  '04-role-leader-election.json',
  '05-rolebinding-leader-election.json',
  'crd/imagebackups.lifeboat.dev.json',
];

export interface BenchEnv {
  readonly cp: ControlPlane;
  readonly admin: AdminClient;
  readonly source: LocalRegistry;
  readonly backup: LocalRegistry;
  /** Count the requests that reach the registries. */
  readonly sourceProxy: CountingProxy;
  readonly backupProxy: CountingProxy;
  /** With `faults`: in front of the counting proxies. */
  readonly faultProxies?: { readonly source: FaultProxy; readonly backup: FaultProxy };
  /** The registry hosts lifeboat and the Deployments see (the outermost proxy). */
  readonly sourceHost: string;
  readonly backupHost: string;
  readonly auditLog: string;
  /** `lifeboat run` arguments against this environment, then `extra` (`--no-leader-elect` unless `leaderElect`). */
  runArgs(extra: readonly string[], options?: { readonly leaderElect?: boolean }): string[];
}

export async function startBenchEnv(
  dir: string,
  options: {
    readonly nodes: number;
    readonly podsPerNode: number;
    readonly faults?: boolean;
    /**
     * The backup registry's auth (default htpasswd). distribution checks an htpasswd login's bcrypt
     * hash (cost 10) on every request; with token auth it checks a signed token instead, after one
     * token exchange per repository: `--backup-auth token` shows what the bcrypt costs a run.
     */
    readonly backupAuth?: 'htpasswd' | 'token';
  },
  onStarted: (stop: () => Promise<void>) => void,
): Promise<BenchEnv> {
  const auditLog = join(dir, 'audit.log');
  const cp = await startControlPlane({
    nodes: options.nodes,
    podsPerNode: options.podsPerNode,
    audit: { logPath: auditLog, users: [LIFEBOAT_USER] },
  });
  onStarted(() => cp.stop());
  const admin = createAdminClient(cp.kubeconfigPath);
  onStarted(() => Promise.resolve(admin.close()));
  const [source, backup] = await Promise.all([
    startRegistry({ auth: 'none' }),
    startRegistry({ auth: options.backupAuth ?? 'htpasswd' }),
  ]);
  onStarted(() => source.stop());
  onStarted(() => backup.stop());
  const [sourceProxy, backupProxy] = await Promise.all([
    startCountingProxy(source.host),
    startCountingProxy(backup.host),
  ]);
  onStarted(() => sourceProxy.close());
  onStarted(() => backupProxy.close());
  let faultProxies: BenchEnv['faultProxies'];
  if (options.faults === true) {
    const [sourceFaults, backupFaults] = await Promise.all([
      startFaultProxy({ upstream: `http://${sourceProxy.host}` }),
      startFaultProxy({ upstream: `http://${backupProxy.host}` }),
    ]);
    onStarted(() => sourceFaults.stop());
    onStarted(() => backupFaults.stop());
    faultProxies = { source: sourceFaults, backup: backupFaults };
  }
  const sourceHost = faultProxies?.source.host ?? sourceProxy.host;
  const backupHost = faultProxies?.backup.host ?? backupProxy.host;

  for (const file of MANIFESTS) {
    const manifest = JSON.parse(readFileSync(join(deployDir, file), 'utf8')) as { kind: string };
    await admin.must('POST', PATHS[manifest.kind]!, manifest, [201]);
  }
  await waitFor(
    async () => {
      const crd = await admin.must<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/imagebackups.lifeboat.dev',
      );
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    },
    { what: 'ImageBackup CRD Established', timeoutMs: 60_000 },
  );
  const secret = async (name: string, username: string, password: string): Promise<void> => {
    const auths = { [backupHost]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
    await admin.must('POST', `/api/v1/namespaces/${LIFEBOAT_NS}/secrets`, {
      metadata: { name },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
    });
  };
  await secret(PUSH_SECRET, backup.username!, backup.password!);
  await secret(PULL_SECRET, backup.readerUsername!, backup.readerPassword!);

  const token = await admin.must<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${LIFEBOAT_NS}/serviceaccounts/lifeboat/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 12 * 3600 } },
  );
  const kubeconfig = join(dir, 'lifeboat.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: cp.server, 'certificate-authority': cp.caFile } }],
      users: [{ name: 'lifeboat', user: { token: token.status.token } }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'lifeboat' } }],
      'current-context': 'bench',
    }),
  );

  return {
    cp,
    admin,
    source,
    backup,
    sourceProxy,
    backupProxy,
    ...(faultProxies ? { faultProxies } : {}),
    sourceHost,
    backupHost,
    auditLog,
    // The flags the e2e backup suite passes (test/e2e/backups/backup-env.ts).
    runArgs: (extra, runOptions) => [
      'run',
      '--kubeconfig',
      kubeconfig,
      '--backup-registry',
      `${backupHost}/lifeboat`,
      '--insecure-registries',
      [sourceHost, backupHost].join(','),
      '--backup-push-secret',
      `${LIFEBOAT_NS}/${PUSH_SECRET}`,
      '--backup-pull-secret',
      `${LIFEBOAT_NS}/${PULL_SECRET}`,
      ...(runOptions?.leaderElect === true ? [] : ['--no-leader-elect']),
      '--metrics-addr',
      '127.0.0.1:0',
      '--exclude-namespaces',
      'default',
      '--max-rewrites-per-minute=0', // the benchmark measures the controller, not the pacing
      ...extra,
    ],
  };
}
