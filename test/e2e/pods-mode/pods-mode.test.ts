// `lifeboat run --rewrite-mode=pods` end to end (issue 17): a real kube-apiserver calls lifeboat's
// Pod admission webhook over TLS on loopback (`--webhook-url https://127.0.0.1:PORT`), lifeboat runs
// as a child process under a ServiceAccount of its own (so the audit log tells its requests from the
// test's), kwok runs the Pods, and real registries hold sources and backups (backup-env.ts).
// One environment for the file; the tests run in order and build on each other's backups.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../../../src/devenv/index.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import {
  startBackupEnv,
  LIFEBOAT_NS,
  PULL_SECRET_COPY,
  readerCredentials,
  WAIT,
  type BackupEnv,
} from '../backups/backup-env.ts';
import { sourceImage } from '../backups/fixtures.ts';
import { backupsOf, rewrittenRef, sourceRef, type SourceImage } from '../backups/suite.ts';
import {
  createWorkload,
  imagesOf,
  KINDS,
  workloadManifest,
  workloads,
  type Kind,
  type WorkloadInput,
} from '../backups/workloads.ts';
import { usageOf } from '../charts/audit-log.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';
import { lifeboat as runLifeboatCli } from '../cli/run-cli.ts';

const JOBS = { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true } as const;
const ACCOUNT_NAME = 'lifeboat-pods';
const ACCOUNT = `system:serviceaccount:${LIFEBOAT_NS}:${ACCOUNT_NAME}`;
const ORIGINAL_IMAGES = 'lifeboat.dev/original-images';
/** Short enough that the serving certificate is renewed (at 2/3: 10 s) several times in the file. */
const CERT_LIFETIME = '15s';

interface PodObject extends KubeObject {
  metadata: KubeObject['metadata'] & {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: {
    containers: { name: string; image: string }[];
    initContainers?: { name: string; image: string }[];
    imagePullSecrets?: { name: string }[];
    [field: string]: unknown;
  };
}

describe('lifeboat run --rewrite-mode=pods: the Pod admission webhook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-pods-mode-'));
  const auditLog = join(dir, 'audit.log');
  let env: BackupEnv | undefined;
  let lifeboat: LifeboatProcess | undefined;
  let runArgs: string[] = [];
  const e = (): BackupEnv => {
    if (!env) throw new Error('the environment did not start');
    return env;
  };
  const pods = () => resourceClient<PodObject>(e().api, RESOURCES.pods);
  /** What each workload kind runs (one image each; the Deployment has an init container too). */
  let images: Record<Kind | 'init', SourceImage>;
  let ns = '';
  const inputs = (): WorkloadInput[] =>
    KINDS.map((kind) => ({
      kind,
      name: kind.toLowerCase(),
      containers: [{ name: 'app', image: sourceRef(images[kind]) }],
      ...(kind === 'Deployment' ? { initContainers: [{ name: 'init', image: sourceRef(images.init) }] } : {}),
    }));

  before(async () => {
    env = await startBackupEnv({ audit: { logPath: auditLog, users: [ACCOUNT] } });
    const kubeconfig = await accountKubeconfig(env, dir);
    const [deployment, daemonSet, statefulSet, cronJob, init] = await Promise.all(
      ['deployment', 'daemonset', 'statefulset', 'cronjob', 'init'].map((n) =>
        sourceImage(env!.publicSource, `pods/${n}`, '1'),
      ),
    );
    images = {
      Deployment: deployment!,
      DaemonSet: daemonSet!,
      StatefulSet: statefulSet!,
      CronJob: cronJob!,
      init: init!,
    };
    const port = await freePort();
    runArgs = env.runArgs(
      `--kubeconfig=${kubeconfig}`,
      '--rewrite-mode=pods',
      // A private source is backed up with the namespace's credentials (the default, skip, would not).
      '--private-images=shared',
      `--webhook-addr=127.0.0.1:${port}`,
      `--webhook-url=https://127.0.0.1:${port}`,
      `--webhook-cert-lifetime=${CERT_LIFETIME}`,
      '--log-level=debug',
    );
    lifeboat = startLifeboat(runArgs);
    await lifeboat.address();
  });
  after(async () => {
    await lifeboat?.stop('SIGKILL');
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The live Pods of `app` in `namespace` (those being deleted left out). */
  const livePods = async (namespace: string, app: string): Promise<PodObject[]> =>
    (await pods().listAll({ namespace, labelSelector: `app=${app}` })).filter(
      (p) => p.metadata.deletionTimestamp === undefined,
    );

  /** Creates a bare Pod running `image` and returns it as the API server stored it (after admission). */
  const createPod = (
    namespace: string,
    image: string,
    name = `p-${Math.random().toString(36).slice(2, 8)}`,
  ) =>
    pods().create(
      {
        metadata: { name, labels: { app: 'bare' } },
        spec: {
          containers: [{ name: 'app', image }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
        },
      },
      { namespace },
    );

  const waitReady = async (s: SourceImage): Promise<void> => {
    await waitFor(async () => (await backupsOf(e(), sourceRef(s))).some((b) => b.status?.phase === 'Ready'), {
      what: `the backup of ${sourceRef(s)} Ready`,
      ...WAIT,
    });
  };

  it("every workload kind's Pods come up on backups, while the workloads keep their original images", async () => {
    ns = await e().namespace('pods');
    for (const input of inputs()) await createWorkload(e().api, ns, input);
    for (const s of Object.values(images)) await waitReady(s);
    // Pods made before their backup was Ready run the originals; new ones are moved at creation.
    await pods()
      .listAll({ namespace: ns })
      .then((list) => Promise.all(list.map((p) => pods().delete(p.metadata.name, { namespace: ns }))));
    // A CronJob's Pods come from its Jobs: one made from its template, as `kubectl create job --from`.
    const cron = await workloads(e().api, 'CronJob').get('cronjob', { namespace: ns });
    await resourceClient(e().api, JOBS).create(
      { metadata: { name: 'cronjob-manual' }, spec: cron.spec.jobTemplate!.spec },
      { namespace: ns },
    );
    for (const input of inputs()) {
      const want = rewrittenRef(e(), images[input.kind]);
      await waitFor(
        async () => {
          const live = await livePods(ns, input.name);
          return live.length > 0 && live.every((p) => p.spec.containers[0]?.image === want);
        },
        { what: `the Pods of ${input.kind} ${ns}/${input.name} on ${want}`, ...WAIT },
      );
      for (const pod of await livePods(ns, input.name)) {
        assert.ok(
          pod.spec.imagePullSecrets?.some((r) => r.name === PULL_SECRET_COPY),
          'the pull secret added',
        );
        const originals: Record<string, string> = { app: sourceRef(images[input.kind]) };
        if (input.kind === 'Deployment') {
          assert.equal(pod.spec.initContainers?.[0]?.image, rewrittenRef(e(), images.init));
          originals.init = sourceRef(images.init);
        }
        assert.deepEqual(JSON.parse(pod.metadata.annotations?.[ORIGINAL_IMAGES] ?? '{}'), originals);
      }
      const workload = await workloads(e().api, input.kind).get(input.name, { namespace: ns });
      assert.deepEqual(imagesOf(workload), imagesOf(workloadManifest(input)), `${input.kind} spec untouched`);
      assert.equal(workload.metadata.annotations?.[ORIGINAL_IMAGES], undefined);
    }
  });

  it('a writer re-applying the original manifests every second (a GitOps sync) sees no drift; the Pods stay on backups', async () => {
    const generations = new Map<string, number | undefined>();
    for (let round = 0; round < 5; round++) {
      for (const input of inputs()) {
        const client = workloads(e().api, input.kind);
        const current = await client.get(input.name, { namespace: ns });
        const manifest = workloadManifest(input);
        // What a sync does: the manifest's spec put back over whatever is there.
        const applied = await client.replace(
          { ...current, spec: { ...current.spec, ...manifest.spec } },
          { namespace: ns },
        );
        if (round === 0) generations.set(input.kind, applied.metadata.generation);
        assert.equal(
          applied.metadata.generation,
          generations.get(input.kind),
          `${input.kind}: no drift to undo`,
        );
        assert.deepEqual(imagesOf(applied), imagesOf(manifest));
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    for (const input of inputs()) {
      const live = await livePods(ns, input.name);
      assert.ok(live.length > 0);
      for (const p of live) assert.equal(p.spec.containers[0]?.image, rewrittenRef(e(), images[input.kind]));
    }
  });

  it('lifeboat status --rewrite-mode=pods: every workload Protected, and ProtectedOnRestart for a Pod made before its backup', async () => {
    const status = async () => {
      const run = await runLifeboatCli(
        e().commandArgs(
          'status',
          '--backup-registry',
          e().backupLocation,
          '--rewrite-mode=pods',
          '-n',
          ns,
          '-o',
          'json',
        ),
      );
      assert.equal(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as { workloads: { kind: string; state: string }[] }).workloads;
    };
    assert.deepEqual(
      (await status()).map((w) => [w.kind, w.state]),
      [...KINDS].sort().map((kind) => [kind, 'Protected']),
    );
    // A Pod of the Deployment running the original, as one created before the backup was Ready.
    const ignored = await pods().create(
      {
        metadata: { name: 'before-backup', labels: { app: 'deployment', 'lifeboat.dev/ignore': 'true' } },
        spec: {
          containers: [{ name: 'app', image: sourceRef(images.Deployment) }],
          initContainers: [{ name: 'init', image: sourceRef(images.init) }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
        },
      },
      { namespace: ns },
    );
    assert.equal(
      ignored.spec.containers[0]?.image,
      sourceRef(images.Deployment),
      'the object selector left it',
    );
    const deployment = (await status()).find((w) => w.kind === 'Deployment');
    assert.equal(deployment?.state, 'ProtectedOnRestart');
    await pods().delete('before-backup', { namespace: ns });
  });

  it('a private image: a namespace among the backup readers gets the backup, another keeps the original', async () => {
    const secret = await sourceImage(e().privateSource, 'pods/private', '1');
    const [reader, outsider] = [await e().namespace('reader'), await e().namespace('outsider')];
    await e().dockerConfigSecret(
      reader,
      'private-creds',
      e().privateSource,
      readerCredentials(e().privateSource),
    );
    await createWorkload(e().api, reader, {
      kind: 'Deployment',
      name: 'private',
      containers: [{ name: 'app', image: sourceRef(secret) }],
      imagePullSecrets: ['private-creds'],
    });
    await waitReady(secret);
    const [backup] = await backupsOf(e(), sourceRef(secret));
    assert.equal(backup?.status?.private, true);
    // In pods mode the workload controller records readers (shared too): the webhook grants a
    // private backup only to the namespaces they list, and the outsider has no workload on it.
    await waitFor(
      async () =>
        (await imageBackupClient(e().api).get(backup.metadata.name)).status?.readers?.includes(reader) ===
        true,
      { what: `${reader} recorded among the readers of ${backup.metadata.name}`, ...WAIT },
    );
    await waitFor(
      async () => {
        const pod = await createPod(reader, sourceRef(secret));
        return pod.spec.containers[0]?.image === rewrittenRef(e(), secret);
      },
      { what: 'a Pod of the reader namespace on the private backup', ...WAIT, intervalMs: 200 },
    );
    // The webhook's cache has the readers now: the outsider's Pod is decided on the same state.
    const pod = await createPod(outsider, sourceRef(secret));
    assert.equal(pod.spec.containers[0]?.image, sourceRef(secret));
    assert.equal(pod.metadata.annotations?.[ORIGINAL_IMAGES], undefined);
  });

  it('certificate rotation while Pods are being created: no admission fails', async () => {
    const rotations = () =>
      lifeboat!.logs.filter((l) => l.msg === 'serving a new webhook certificate').length;
    const config = () =>
      resourceClient<KubeObject & { webhooks: { clientConfig: { caBundle: string } }[] }>(e().api, {
        group: 'admissionregistration.k8s.io',
        version: 'v1',
        plural: 'mutatingwebhookconfigurations',
        kind: 'MutatingWebhookConfiguration',
        namespaced: false,
      }).get('lifeboat');
    const caBundle = (await config()).webhooks[0]?.clientConfig.caBundle;
    const start = rotations();
    const target = rewrittenRef(e(), images.Deployment);
    const created: string[] = [];
    // Bounded: 15 s certificates are renewed every 10 s; two renewals come well within 90 s.
    const deadline = Date.now() + 90_000;
    while (rotations() < start + 2 && Date.now() < deadline) {
      const pod = await createPod(ns, sourceRef(images.Deployment));
      created.push(pod.spec.containers[0]?.image ?? '');
    }
    assert.ok(rotations() >= start + 2, `two renewals seen (${rotations() - start})`);
    assert.ok(created.length >= 10, `Pods created during the renewals (${created.length})`);
    assert.deepEqual(
      created.filter((image) => image !== target),
      [],
      'every Pod created across the renewals was admitted by lifeboat',
    );
    assert.equal((await config()).webhooks[0]?.clientConfig.caBundle, caBundle, 'a renewal keeps the CA');
  });

  it("lifeboat's own user never wrote a workload (audit log)", () => {
    const { used } = usageOf(auditLog, ACCOUNT);
    assert.ok(used.has('lifeboat.dev/imagebackups create'), 'the audit log holds lifeboat’s requests');
    assert.ok(used.has('admissionregistration.k8s.io/mutatingwebhookconfigurations create'));
    const writes = [...used].filter((k) =>
      /^(apps\/(deployments|daemonsets|statefulsets)|batch\/(cronjobs|jobs)|core\/pods) (patch|update|create|delete)$/.test(
        k,
      ),
    );
    assert.deepEqual(writes, []);
  });

  it('with lifeboat stopped, Pods are still created, with their original images', async () => {
    assert.equal(await lifeboat!.stop(), 0);
    const pod = await createPod(ns, sourceRef(images.Deployment));
    assert.equal(pod.spec.containers[0]?.image, sourceRef(images.Deployment));
  });

  it('lifeboat uninstall removes the MutatingWebhookConfiguration', async () => {
    // uninstall takes only the flags of run's it reads: the cluster, the registry, the mode.
    const uninstall = startLifeboat([
      'uninstall',
      `--kubeconfig=${e().cp.kubeconfigPath}`,
      `--backup-registry=${e().backupLocation}`,
      '--rewrite-mode=pods',
    ]);
    assert.equal(await uninstall.exited, 0, uninstall.stderr());
    const found = await resourceClient(e().api, {
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      plural: 'mutatingwebhookconfigurations',
      kind: 'MutatingWebhookConfiguration',
      namespaced: false,
    }).find('lifeboat');
    assert.equal(found, undefined);
  });
});

/** A ServiceAccount bound to cluster-admin, and a kubeconfig with its token: lifeboat's own user. */
async function accountKubeconfig(env: BackupEnv, dir: string): Promise<string> {
  const ok = async (method: string, path: string, body: unknown): Promise<unknown> => {
    const res = await env.cp.request(method, path, body);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status}`);
    return res.body;
  };
  await ok('POST', `/api/v1/namespaces/${LIFEBOAT_NS}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: ACCOUNT_NAME },
  });
  await ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: ACCOUNT_NAME },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: ACCOUNT_NAME, namespace: LIFEBOAT_NS }],
  });
  const token = (await ok('POST', `/api/v1/namespaces/${LIFEBOAT_NS}/serviceaccounts/${ACCOUNT_NAME}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  })) as { status: { token: string } };
  const path = join(dir, 'lifeboat.kubeconfig');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: env.cp.server, 'certificate-authority': env.cp.caFile } }],
      users: [{ name: 'lifeboat', user: { token: token.status.token } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'lifeboat' } }],
      'current-context': 'c',
    }),
  );
  return path;
}
