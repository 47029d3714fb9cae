// charts/lifeboat on the real API server, and its RBAC measured: the rendered manifests pass a
// server-side dry run and are created; then `lifeboat run`, with the arguments of the chart's
// Deployment and a token of the chart's ServiceAccount (TokenRequest API, not admin), backs up and
// rewrites a workload of every kind, a private image with its pull secret, and distributes the
// pull secret; `lifeboat uninstall` runs as the same account. The apiserver's audit log then shows
// that no request was denied (the RBAC is enough) and that every (group, resource, verb) the
// ClusterRole and Role grant was used (it is no broader than needed).
// Its own control plane (backup-env.ts): the controller acts on every namespace.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createKubeApi,
  KubeApiError,
  loadKubeConfig,
  RESOURCES,
  resourceClient,
  type KubeObject,
} from '../../../src/kube/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import { renderChart, type RenderedObject } from '../../../scripts/chart.ts';
import { UNINSTALL_FLAGS } from '../../../src/cli/config/uninstall-flags.ts';
import { controllerArgs, objectOf } from '../../charts/rendered.ts';
import {
  dockerConfigJson,
  EXCLUDED_NS,
  LIFEBOAT_NS,
  PULL_SECRET,
  PULL_SECRET_COPY,
  PUSH_SECRET,
  readerCredentials,
  startBackupEnv,
  WAIT,
  type BackupEnv,
} from '../backups/backup-env.ts';
import { sourceImage } from '../backups/fixtures.ts';
import { assertRewritten, createPlanned, type Planned } from '../backups/rewrite.scenarios.ts';
import { assertBackedUp } from '../backups/suite.ts';
import { createWorkload, occurrences, eventsFor, waitEvent, workloads } from '../backups/workloads.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';
import { deleteCreated, describeResponse, dryRunThenCreate, type Located } from '../deploy/apply.ts';
import { granted, usageOf, type PolicyRule } from './audit-log.ts';

const RELEASE = 'lifeboat';
const ACCOUNT = `system:serviceaccount:${LIFEBOAT_NS}:${RELEASE}`;

describe("charts/lifeboat: the chart's ServiceAccount runs the backup flow, with RBAC no broader than it needs", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-chart-rbac-'));
  const auditLog = join(dir, 'audit.log');
  let env: BackupEnv | undefined;
  let objects: RenderedObject[] = [];
  const created: Located[] = [];
  const processes: LifeboatProcess[] = [];
  let kubeconfig = '';

  const e = (): BackupEnv => {
    if (!env) throw new Error('the backup environment did not start');
    return env;
  };
  /** `lifeboat <args>` as the chart's ServiceAccount, with the Deployment's arguments. */
  const asAccount = (command: string, ...extra: string[]): LifeboatProcess => {
    const [, ...args] = controllerArgs(objects);
    // uninstall takes only the flags of run's it reads, with the values run was given.
    const taken = (arg: string): boolean =>
      command !== 'uninstall' ||
      UNINSTALL_FLAGS.some((f) => [f.flag, `--no-${f.flag.slice(2)}`].includes(arg.split('=')[0]!));
    const p = startLifeboat([
      command,
      ...args.filter(taken),
      `--kubeconfig=${kubeconfig}`,
      ...(command === 'uninstall' ? [] : ['--metrics-addr=127.0.0.1:0']),
      ...extra,
    ]);
    processes.push(p);
    return p;
  };

  before(async () => {
    env = await startBackupEnv({ audit: { logPath: auditLog, users: [ACCOUNT] } });
  });
  after(async () => {
    for (const p of processes) await p.stop('SIGKILL');
    if (env) await deleteCreated(env.cp, created).catch(() => undefined);
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders for this cluster and passes a server-side dry run, then is created for real', async () => {
    objects = renderChart({
      release: RELEASE,
      namespace: LIFEBOAT_NS,
      values: {
        // The environment installed the CRD already; the image is never pulled (kwok runs no pods).
        crds: { install: false },
        image: { repository: 'registry.example.com/lifeboat' },
        backup: { registry: e().backupLocation, pushSecret: PUSH_SECRET, pullSecret: PULL_SECRET },
        insecureRegistries: [e().publicSource.host, e().privateSource.host, e().backup.host],
        excludeNamespaces: ['default', EXCLUDED_NS],
      },
    });
    await dryRunThenCreate(e().cp, objects, created);
  });

  it('backs up and rewrites every kind as the ServiceAccount, skips a private image (the default privateImages: skip), and distributes the pull secret', async () => {
    const env = e();
    const token = await env.cp.request(
      'POST',
      `/api/v1/namespaces/${LIFEBOAT_NS}/serviceaccounts/${RELEASE}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    );
    assert.equal(token.status, 201, describeResponse(token));
    kubeconfig = join(dir, 'service-account.kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: env.cp.server, 'certificate-authority': env.cp.caFile } }],
        users: [{ name: 'sa', user: { token: (token.body as { status: { token: string } }).status.token } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'c',
      }),
    );

    const ns = await env.namespace('chart');
    const [app, secret] = await Promise.all([
      sourceImage(env.publicSource, 'chart/app', '1'),
      sourceImage(env.privateSource, 'chart/private', '1'),
    ]);
    await env.dockerConfigSecret(
      ns,
      'private-creds',
      env.privateSource,
      readerCredentials(env.privateSource),
    );
    const planned: Planned[] = [
      { kind: 'Deployment', name: 'web', containers: { app } },
      { kind: 'DaemonSet', name: 'agent', containers: { agent: app } },
      { kind: 'StatefulSet', name: 'db', containers: { db: app } },
      { kind: 'CronJob', name: 'job', containers: { job: app } },
    ];
    const refs = await Promise.all(planned.map((p) => createPlanned(env, ns, p)));
    // A private image its namespace holds credentials for: under `skip` nothing is backed up, and
    // no tenant Secret is read (the audit below finds no Secret get, and no denied request).
    const privateRef = await createPlanned(env, ns, {
      kind: 'Deployment',
      name: 'private',
      containers: { app: secret },
      imagePullSecrets: ['private-creds'],
    });
    // An image reference lifeboat refuses, changed once: the second Event is a series (a patch).
    const invalid = await createWorkload(env.api, ns, {
      kind: 'Deployment',
      name: 'invalid',
      containers: [{ name: 'app', image: 'Not/A:Valid@Reference' }],
    });

    const run = asAccount('run');
    await run.address();
    for (const [i, p] of planned.entries()) await assertRewritten(env, refs[i]!, p);
    await assertBackedUp(env, app);
    await waitEvent(env.api, privateRef, EventReasons.PrivateSourceSkipped);
    const privateBackups = (await imageBackupClient(env.api).listAll()).filter((b) =>
      b.spec.source.includes(secret.path),
    );
    assert.deepEqual(privateBackups, [], 'no ImageBackup for the private source');
    const stillPrivate = await workloads(env.api, 'Deployment').get('private', { namespace: ns });
    assert.match(JSON.stringify(stillPrivate), new RegExp(env.privateSource.host), 'left as it is');
    const account = await resourceClient<KubeObject & { imagePullSecrets?: { name: string }[] }>(
      env.api,
      RESOURCES.serviceAccounts,
    ).get('default', { namespace: ns });
    assert.ok(
      account.imagePullSecrets?.some((s) => s.name === PULL_SECRET_COPY),
      'default has the pull secret',
    );

    // New credentials in the source pull secret reach every copy (a patch of the copy).
    const secrets = resourceClient<KubeObject & { data?: Record<string, string> }>(
      env.api,
      RESOURCES.secrets,
    );
    const rotated = JSON.stringify({
      auths: {
        ...(JSON.parse(dockerConfigJson(env.backup, readerCredentials(env.backup))) as { auths: object })
          .auths,
        'mirror.example.org': { auth: Buffer.from('rotated:secret').toString('base64') },
      },
    });
    const data = { '.dockerconfigjson': Buffer.from(rotated).toString('base64') };
    await secrets.mergePatch(PULL_SECRET, { data }, { namespace: LIFEBOAT_NS });
    await waitFor(
      async () =>
        (await secrets.get(PULL_SECRET_COPY, { namespace: ns })).data?.['.dockerconfigjson'] ===
        data['.dockerconfigjson'],
      { what: `the rotated credentials in ${ns}/${PULL_SECRET_COPY}`, ...WAIT },
    );

    await waitEvent(env.api, invalid, EventReasons.InvalidImageReference);
    await workloads(env.api, 'Deployment').mergePatch(
      'invalid',
      { spec: { template: { metadata: { annotations: { 'example.org/changed': '1' } } } } },
      { namespace: ns },
    );
    await waitFor(
      async () => occurrences(await eventsFor(env.api, ns, EventReasons.InvalidImageReference, invalid)) >= 2,
      { what: 'the InvalidImageReference Event counted twice', ...WAIT },
    );
    assert.equal(await run.stop('SIGTERM'), 0, `lifeboat run exits 0 on SIGTERM; stderr: ${run.stderr()}`);
  });

  it('uninstalls as the ServiceAccount: the pull-secret copies and service-account entries are gone', async () => {
    const env = e();
    // The workloads above still run their backups: uninstall refuses, naming them, unless forced.
    const refused = asAccount('uninstall');
    assert.equal(await refused.exited, 1, `lifeboat uninstall refuses; stderr: ${refused.stderr()}`);
    assert.match(refused.stderr(), /still run images from the backup registry/);
    assert.match(refused.stderr(), /Deployment chart-[^/]*\/web: /);
    const uninstall = asAccount('uninstall', '--force');
    assert.equal(await uninstall.exited, 0, `lifeboat uninstall exits 0; stderr: ${uninstall.stderr()}`);
    const copies = await resourceClient(env.api, RESOURCES.secrets).listAll({
      fieldSelector: `metadata.name=${PULL_SECRET_COPY}`,
    });
    assert.deepEqual(
      copies.map((c) => c.metadata.namespace),
      [],
    );
  });

  it('used every rule of its ClusterRole and Role, and was never denied', () => {
    const rules = ['ClusterRole', 'Role'].flatMap(
      (kind) => objectOf<{ rules: PolicyRule[] }>(objects, kind).rules,
    );
    const { used, denied } = usageOf(auditLog, ACCOUNT);
    assert.deepEqual([...denied], [], 'requests the RBAC refused');
    const unused = [...granted(rules)].filter((k) => !used.has(k)).sort();
    assert.deepEqual(unused, [], `granted but never used (used: ${[...used].sort().join(', ')})`);
  });
  // After the audit check above, which counts every denied request of the account.
  it('is refused every Secret request outside the names it needs: only create stays cluster-wide (get too with privateImages other than skip)', async () => {
    const env = e();
    const api = createKubeApi({ kubeConfig: loadKubeConfig(kubeconfig), qps: 0 });
    const secrets = resourceClient<KubeObject>(api, RESOURCES.secrets);
    const forbidden = (err: unknown): boolean => err instanceof KubeApiError && err.status === 403;
    try {
      // privateImages: skip reads no tenant Secret: no get at all, even of its own push Secret
      // (read through its informer). The rule comes back with shared or isolated (the chart renders it).
      await assert.rejects(
        secrets.get(PUSH_SECRET, { namespace: LIFEBOAT_NS }),
        forbidden,
        'get of a Secret',
      );
      const ns = await env.namespace('tenant');
      await assert.rejects(
        secrets.get('tenant-secret', { namespace: ns }),
        forbidden,
        'get of a tenant Secret',
      );
      await resourceClient<KubeObject>(env.api, RESOURCES.secrets).create(
        { metadata: { name: 'tenant-secret' }, type: 'Opaque', data: { k: 'dg==' } },
        { namespace: ns },
      );
      // Listing or watching every Secret, or Secrets of another name: refused.
      await assert.rejects(secrets.listAll(), forbidden, 'list of every Secret');
      await assert.rejects(secrets.listAll({ namespace: ns }), forbidden, "list of a namespace's Secrets");
      await assert.rejects(
        secrets.listAll({ fieldSelector: 'metadata.name=tenant-secret' }),
        forbidden,
        'list of Secrets of another name',
      );
      // Its copies by name are still listed (the informers' request).
      await secrets.listAll({ fieldSelector: `metadata.name=${PULL_SECRET_COPY}` });
      // Patching or deleting a Secret that is not a copy: refused.
      await assert.rejects(
        secrets.mergePatch('tenant-secret', { metadata: { labels: { a: 'b' } } }, { namespace: ns }),
        forbidden,
        'patch of a tenant Secret',
      );
      await assert.rejects(
        secrets.delete('tenant-secret', { namespace: ns }),
        forbidden,
        'delete of a tenant Secret',
      );
      await assert.rejects(
        secrets.delete(PUSH_SECRET, { namespace: LIFEBOAT_NS }),
        forbidden,
        'delete of the push Secret',
      );
    } finally {
      await api.close();
    }
  });
});
