// A real Kubernetes control plane on loopback: etcd and kube-apiserver, plus, when nodes are asked
// for, kube-controller-manager, kube-scheduler and kwok with that many fake nodes, so Deployments
// roll out and pods become Ready. Recipe: shared/notes/test-cluster.md.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { createCa, createSigningKey, issueCert } from './pki.ts';
import { startProcess, trackTempDir, type ManagedProcess } from './process.ts';
import { kubeRequest, type KubeCredentials, type KubeResponse } from './kube-request.ts';
import { toolPath, toolsBin } from './tools.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

// 2-core machines start the apiserver slowly (OpenAPI aggregation alone takes seconds).
const START_TIMEOUT_MS = 180_000;

export interface ControlPlaneOptions {
  /** Fake kwok nodes; 0 runs only etcd and the apiserver. */
  readonly nodes?: number;
  /**
   * Pods each kwok node admits (allocatable and capacity); default 110, the kubelet's. A benchmark
   * that rolls out thousands of one-replica Deployments at once raises it so the node count never
   * paces the rollout.
   */
  readonly podsPerNode?: number;
  /**
   * The apiserver writes an audit log (JSON lines, level Metadata, stage ResponseComplete) of the
   * requests of these users only, e.g. a ServiceAccount whose RBAC a test measures.
   */
  readonly audit?: { readonly logPath: string; readonly users: readonly string[] };
}

export interface ControlPlane {
  /** An admin (system:masters) kubeconfig for kubectl and for lifeboat (or code under test). */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  readonly caFile: string;
  readonly nodes: number;
  /** Processes currently running, for memory measurements. */
  processes(): readonly { readonly name: string; readonly pid: number }[];
  /** An admin API call that bypasses lifeboat's own Kubernetes client (the code under test). */
  request(method: string, path: string, body?: unknown): Promise<KubeResponse>;
  /** Stops kube-apiserver and starts it again on the same port and etcd. */
  restartApiserver(): Promise<void>;
  /** Compacts etcd at its current revision, so older resourceVersions are gone. */
  compactEtcd(): Promise<void>;
  stop(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const nodes = options.nodes ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-cluster-'));
  const tracked = trackTempDir(dir);
  const running: ManagedProcess[] = [];
  try {
    const pki = join(dir, 'pki');
    mkdirSync(pki);
    const ca = createCa(pki, 'cluster-ca');
    const serving = issueCert(ca, pki, 'apiserver', {
      commonName: 'kube-apiserver',
      ips: ['127.0.0.1', '10.96.0.1'],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      usage: 'server',
    });
    const admin = issueCert(ca, pki, 'admin', {
      commonName: 'admin',
      organization: 'system:masters',
      usage: 'client',
    });
    const sa = createSigningKey(pki, 'service-accounts');

    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const server = `https://127.0.0.1:${apiPort}`;
    const credentials: KubeCredentials = {
      server,
      caFile: ca.cert,
      certFile: admin.cert,
      keyFile: admin.key,
    };

    const etcd = startProcess(
      'etcd',
      toolPath('etcd'),
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { dir },
    );
    running.push(etcd);
    await waitFor(
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      { what: 'etcd /health', timeoutMs: START_TIMEOUT_MS, abortReason: etcd.exitReason },
    );

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${ca.cert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${sa.pub}`,
      `--service-account-signing-key-file=${sa.key}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--profiling=false',
      // Without the controller-manager nothing creates the default ServiceAccount pods need.
      ...(nodes === 0 ? ['--disable-admission-plugins=ServiceAccount'] : []),
      ...(options.audit ? auditArgs(dir, options.audit) : []),
    ];
    let apiserver = await startApiserver(dir, apiserverArgs, credentials);
    running.push(apiserver);

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, ca.cert, admin.cert, admin.key));

    if (nodes > 0) {
      const [kcmPort, schedulerPort, kwokPort] = [await freePort(), await freePort(), await freePort()];
      const kcm = startProcess(
        'kube-controller-manager',
        toolPath('kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          '--leader-elect=false',
          `--service-account-private-key-file=${sa.key}`,
          `--root-ca-file=${ca.cert}`,
          '--kube-api-qps=100',
          '--kube-api-burst=200',
          '--controllers=*',
        ],
        { dir },
      );
      running.push(kcm);
      const schedulerConfig = join(dir, 'scheduler.yaml');
      writeFileSync(
        schedulerConfig,
        JSON.stringify({
          apiVersion: 'kubescheduler.config.k8s.io/v1',
          kind: 'KubeSchedulerConfiguration',
          clientConnection: { kubeconfig: kubeconfigPath, qps: 200, burst: 400 },
          leaderElection: { leaderElect: false },
        }),
      );
      const scheduler = startProcess(
        'kube-scheduler',
        toolPath('kube-scheduler'),
        [
          `--config=${schedulerConfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${schedulerPort}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
        ],
        { dir },
      );
      running.push(scheduler);
      // kwok reads ~/.kwok/kwok.yaml when it exists: give it a HOME of its own.
      const kwok = startProcess(
        'kwok',
        toolPath('kwok'),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--config=${join(toolsBin(), 'kwok-stages.yaml')}`,
          '--manage-all-nodes=true',
          '--node-lease-duration-seconds=40',
          '--cidr=10.0.0.0/16',
          '--node-ip=10.255.0.1',
          `--server-address=127.0.0.1:${kwokPort}`,
        ],
        { dir, env: { ...process.env, HOME: dir } },
      );
      running.push(kwok);
      for (const [proc, url] of [
        [kcm, `https://127.0.0.1:${kcmPort}/healthz`],
        [scheduler, `https://127.0.0.1:${schedulerPort}/healthz`],
      ] as const) {
        await waitFor(async () => (await insecureGet(url)) === 200, {
          what: `${proc.name} /healthz`,
          timeoutMs: START_TIMEOUT_MS,
          abortReason: proc.exitReason,
        });
      }
      await waitFor(async () => (await fetch(`http://127.0.0.1:${kwokPort}/healthz`)).ok, {
        what: 'kwok /healthz',
        timeoutMs: START_TIMEOUT_MS,
        abortReason: kwok.exitReason,
      });
      for (let i = 0; i < nodes; i++)
        await createNode(credentials, `kwok-node-${i}`, options.podsPerNode ?? 110);
      await waitFor(() => nodesReady(credentials, nodes), {
        what: `${nodes} kwok nodes Ready and untainted`,
        timeoutMs: START_TIMEOUT_MS,
      });
    }

    let stopped = false;
    return {
      kubeconfigPath,
      server,
      caFile: ca.cert,
      nodes,
      processes: () => running.map((p) => ({ name: p.name, pid: p.pid })),
      request: (method, path, body) => kubeRequest(credentials, method, path, body),
      async restartApiserver() {
        await apiserver.stop();
        running.splice(running.indexOf(apiserver), 1);
        apiserver = await startApiserver(dir, apiserverArgs, credentials);
        running.splice(1, 0, apiserver);
      },
      async compactEtcd() {
        const etcdctl = toolPath('etcdctl');
        const { stdout } = await run(etcdctl, [`--endpoints=${etcdUrl}`, 'endpoint', 'status', '-w', 'json']);
        const status = JSON.parse(stdout) as { Status: { header: { revision: number } } }[];
        const revision = status[0]?.Status.header.revision;
        if (revision === undefined) throw new Error(`etcdctl endpoint status gave no revision: ${stdout}`);
        await run(etcdctl, [`--endpoints=${etcdUrl}`, 'compact', String(revision)]);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // Reverse start order: kwok, scheduler, controller-manager, apiserver, etcd.
        for (const proc of [...running].reverse()) await proc.stop();
        rmSync(dir, { recursive: true, force: true });
        tracked.release();
      },
    };
  } catch (error) {
    for (const proc of [...running].reverse()) await proc.stop();
    // Keep the logs of a failed start: they are the only way to tell why.
    tracked.release();
    throw new Error(`control plane failed to start (logs in ${dir}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function startApiserver(
  dir: string,
  args: readonly string[],
  credentials: KubeCredentials,
): Promise<ManagedProcess> {
  const apiserver = startProcess('kube-apiserver', toolPath('kube-apiserver'), args, { dir });
  await waitFor(
    async () => {
      const ready = await kubeRequest(credentials, 'GET', '/readyz', undefined, 5_000);
      if (ready.status !== 200) return false;
      return (
        (await kubeRequest(credentials, 'GET', '/api/v1/namespaces/default', undefined, 5_000)).status === 200
      );
    },
    {
      what: 'kube-apiserver /readyz and namespace default',
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 500,
      abortReason: apiserver.exitReason,
    },
  );
  return apiserver;
}

/** Blocking mode: an event is in the file before its response is sent, so a test reads it at once. */
function auditArgs(dir: string, audit: NonNullable<ControlPlaneOptions['audit']>): string[] {
  const policyFile = join(dir, 'audit-policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived', 'ResponseStarted', 'Panic'],
      rules: [{ level: 'Metadata', users: audit.users }, { level: 'None' }],
    }),
  );
  return [
    `--audit-policy-file=${policyFile}`,
    `--audit-log-path=${audit.logPath}`,
    '--audit-log-format=json',
    '--audit-log-mode=blocking',
  ];
}

function kubeconfig(server: string, ca: string, cert: string, key: string): string {
  // JSON is valid YAML, and every kubeconfig reader accepts it.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lifeboat-test', cluster: { server, 'certificate-authority': ca } }],
      users: [{ name: 'admin', user: { 'client-certificate': cert, 'client-key': key } }],
      contexts: [{ name: 'lifeboat-test', context: { cluster: 'lifeboat-test', user: 'admin' } }],
      'current-context': 'lifeboat-test',
    },
    null,
    2,
  );
}

async function insecureGet(url: string): Promise<number> {
  // The components serve /healthz with self-signed certificates they generate at start.
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, signal: AbortSignal.timeout(5_000) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function createNode(credentials: KubeCredentials, name: string, pods: number): Promise<void> {
  const resources = { cpu: '32', memory: '256Gi', pods: String(pods) };
  const res = await kubeRequest(credentials, 'POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
    },
    status: { allocatable: resources, capacity: resources },
  });
  if (res.status !== 201)
    throw new Error(`creating node ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

interface NodeList {
  items: {
    spec?: { taints?: { key: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

async function nodesReady(credentials: KubeCredentials, count: number): Promise<boolean> {
  const res = await kubeRequest(credentials, 'GET', '/api/v1/nodes');
  const list = res.body as NodeList;
  const ready = list.items.filter(
    (node) =>
      node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
      !node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready'),
  );
  return ready.length >= count;
}
