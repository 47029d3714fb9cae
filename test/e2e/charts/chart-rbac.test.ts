// charts/lifeboat on the real API server, and its RBAC measured: the rendered manifests pass a
// server-side dry run and are created; then `lifeboat run`, with the arguments of the chart's
// Deployment and a token of the chart's ServiceAccount (TokenRequest API, not admin), backs up and
// rewrites a workload of every kind, a private image with its pull secret, and distributes the
// pull secret; `lifeboat uninstall` runs as the same account. The apiserver's audit log then shows
// that no request was denied (the RBAC is enough) and that every (group, resource, verb) the
// ClusterRole and Role grant was used (it is no broader than needed). Then the release is upgraded
// to privateImages: isolated (the token service on) and run again as the same account: it backs up a
// private image with its namespace's pull Secret (the cluster-wide Secret get), records that
// namespace as the backup's reader, keeps the key Secret and serves tokens from the TLS and signing
// Secrets (the token service Role); the audit log of that phase shows no request denied, and Secret
// requests outside the rules are refused.
// Its own control plane (backup-env.ts): the controller acts on every namespace.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { Agent, fetch } from 'undici';
import {
  createTokenServicePki,
  freePort,
  tlsSecretData,
  waitFor,
  type TokenServicePki,
} from '../../../src/devenv/index.ts';
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
import { PULL_KEY_SECRET_NAME } from '../../../src/controllers/api/namespace-credential.ts';
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
import { assertRewritten, createPlanned, waitRewritten, type Planned } from '../backups/rewrite.scenarios.ts';
import { assertBackedUp, backupRepository, backupsOf, sourceRef } from '../backups/suite.ts';
import { createWorkload, occurrences, eventsFor, waitEvent, workloads } from '../backups/workloads.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';
import {
  createOrReplace,
  deleteCreated,
  describeResponse,
  dryRunThenCreate,
  type Located,
} from '../deploy/apply.ts';
import { granted, usageOf, type PolicyRule } from './audit-log.ts';

const RELEASE = 'lifeboat';
const ACCOUNT = `system:serviceaccount:${LIFEBOAT_NS}:${RELEASE}`;

describe("charts/lifeboat: the chart's ServiceAccount runs the backup flow, with RBAC no broader than it needs", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-chart-rbac-'));
  const auditLog = join(dir, 'audit.log');
  let env: BackupEnv | undefined;
  let objects: RenderedObject[] = [];
  /** The rendering installed last (the upgrade below replaces the first). */
  let current: RenderedObject[] = [];
  const created: Located[] = [];
  const processes: LifeboatProcess[] = [];
  let kubeconfig = '';

  const e = (): BackupEnv => {
    if (!env) throw new Error('the backup environment did not start');
    return env;
  };
  /** The values of this cluster; privateImages is the default, skip. */
  const chartValues = () => ({
    // The environment installed the CRD already; the image is never pulled (kwok runs no pods).
    crds: { install: false },
    image: { repository: 'registry.example.com/lifeboat' },
    backup: { registry: e().backupLocation, pushSecret: PUSH_SECRET, pullSecret: PULL_SECRET },
    insecureRegistries: [e().publicSource.host, e().privateSource.host, e().backup.host],
    excludeNamespaces: ['default', EXCLUDED_NS],
  });
  /** `lifeboat <args>` as the chart's ServiceAccount, with the Deployment's arguments. */
  const asAccount = (command: string, ...extra: string[]): LifeboatProcess => {
    const [, ...args] = controllerArgs(current);
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
      values: chartValues(),
    });
    current = objects;
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

  // The same release upgraded to privateImages: isolated (the token service on): its ClusterRole
  // gains the cluster-wide Secret get, the token service Role its three Secrets by name. lifeboat, as
  // the ServiceAccount, backs up a private image with its namespace's pull Secret, records the
  // namespace as a reader, keeps the key Secret and serves tokens from the TLS and signing Secrets.
  describe('upgraded to privateImages: isolated (the token service), as the same ServiceAccount', () => {
    const TOKEN_SERVICE = 'lifeboat-chart-registry';
    /** Requests of this phase only (the audit log's requestReceivedTimestamp). */
    let since = 0;
    let isolated: RenderedObject[] = [];
    let tokenPort = 0;
    let pki: TokenServicePki | undefined;
    let reader = '';
    let stranger = '';

    /** What lifeboat's token endpoint grants `namespace` on `repository`, asked with its own lifeboat-pull. */
    async function grantedPull(namespace: string, repository: string): Promise<string[]> {
      const secrets = resourceClient<KubeObject & { data?: Record<string, string> }>(
        e().api,
        RESOURCES.secrets,
      );
      const auth = async (): Promise<string> => {
        const copy = await secrets.find(PULL_SECRET_COPY, { namespace });
        const config = copy?.data?.['.dockerconfigjson'];
        if (config === undefined) return '';
        const auths = (
          JSON.parse(Buffer.from(config, 'base64').toString()) as { auths: Record<string, { auth: string }> }
        ).auths;
        return auths[e().backup.host]?.auth ?? '';
      };
      // Its own `lifeboat-ns-<namespace>` credential, derived under the key Secret.
      await waitFor(
        async () =>
          Buffer.from(await auth(), 'base64')
            .toString()
            .startsWith(`lifeboat-ns-${namespace}:`),
        {
          what: `${namespace}'s own credential in its ${PULL_SECRET_COPY}`,
          ...WAIT,
        },
      );
      const dispatcher = new Agent({ connect: { ca: readFileSync(pki!.endpointCa.cert) } });
      try {
        const query = new URLSearchParams({ service: TOKEN_SERVICE, scope: `repository:${repository}:pull` });
        const response = await fetch(`https://127.0.0.1:${tokenPort}/token?${query.toString()}`, {
          dispatcher,
          headers: { authorization: `Basic ${await auth()}` },
        });
        assert.equal(response.status, 200, `${namespace} authenticates`);
        const { token } = (await response.json()) as { token: string };
        const claims = decodeJwt(token) as { access?: { name: string; actions: string[] }[] };
        return (claims.access ?? []).filter((g) => g.name === repository).flatMap((g) => g.actions);
      } finally {
        await dispatcher.close();
      }
    }

    it('upgrades the release: the rendered ClusterRole and token service Role replace the skip ones', async () => {
      const env = e();
      since = Date.now();
      pki = createTokenServicePki(dir);
      // The operator's Secrets (docs/operations.md), made as admin, under the chart's default names.
      const admin = resourceClient<KubeObject & { type?: string; data?: Record<string, string> }>(
        env.api,
        RESOURCES.secrets,
      );
      for (const [name, pair] of [
        ['lifeboat-token-tls', pki.endpoint],
        ['lifeboat-token-signer', pki.signer],
      ] as const) {
        await admin.create(
          { metadata: { name }, type: 'kubernetes.io/tls', data: tlsSecretData(pair) },
          { namespace: LIFEBOAT_NS },
        );
      }
      isolated = renderChart({
        release: RELEASE,
        namespace: LIFEBOAT_NS,
        values: { ...chartValues(), privateImages: 'isolated', tokenService: { service: TOKEN_SERVICE } },
      });
      await createOrReplace(env.cp, isolated, created);
      current = isolated;
      const roles = isolated.filter((o) => o.kind === 'Role').map((o) => o.metadata.name);
      assert.deepEqual(roles.sort(), [`${RELEASE}-leader-election`, `${RELEASE}-token-service`]);
    });

    it('backs up a private image with its namespace’s pull Secret, records that namespace as its reader, and serves it a token', async () => {
      const env = e();
      const image = await sourceImage(env.privateSource, 'chart/isolated', '1');
      reader = await env.namespace('reader');
      stranger = await env.namespace('stranger');
      await env.dockerConfigSecret(
        reader,
        'private-creds',
        env.privateSource,
        readerCredentials(env.privateSource),
      );
      const ref = await createPlanned(env, reader, {
        kind: 'Deployment',
        name: 'private',
        containers: { app: image },
        imagePullSecrets: ['private-creds'],
      });
      tokenPort = await freePort();
      const run = asAccount('run', `--token-addr=127.0.0.1:${tokenPort}`);
      await run.address();
      await waitRewritten(env, ref);
      await assertBackedUp(env, image);
      const [backup] = await backupsOf(env, sourceRef(image));
      assert.equal(backup?.status?.private, true, 'an anonymous HEAD is refused');
      await waitFor(
        async () => (await backupsOf(env, sourceRef(image)))[0]?.status?.readers?.includes(reader) === true,
        {
          what: `${reader} recorded as a reader`,
          ...WAIT,
        },
      );
      assert.deepEqual((await backupsOf(env, sourceRef(image)))[0]?.status?.readers, [reader]);
      // The key Secret lifeboat made (it derives each namespace's own credential), and each
      // namespace's copy holding that credential.
      const key = await resourceClient(env.api, RESOURCES.secrets).find(PULL_KEY_SECRET_NAME, {
        namespace: LIFEBOAT_NS,
      });
      assert.ok(key, 'the key Secret exists');
      // The token endpoint (TLS from its Secret, tokens signed by the signing Secret's key) grants
      // the reader pull on its backup, and the stranger nothing.
      const repository = backupRepository(env, env.privateSource, image.path).slice(
        env.backup.host.length + 1,
      );
      assert.deepEqual(await grantedPull(reader, repository), ['pull'], 'the reader may pull');
      assert.deepEqual(await grantedPull(stranger, repository), [], 'the stranger may not');
      assert.equal(await run.stop('SIGTERM'), 0, `lifeboat run exits 0 on SIGTERM; stderr: ${run.stderr()}`);
    });

    it('was never denied, and used each right isolated adds: the cluster-wide Secret get and the token service Secrets by name', () => {
      const { used, denied, named } = usageOf(auditLog, ACCOUNT, { since });
      assert.deepEqual([...denied], [], 'requests the RBAC refused');
      assert.ok(used.has('lifeboat.dev/imagebackups/status patch'), 'status.readers written');
      assert.ok(named.has(`core/secrets get ${reader}/private-creds`), 'the tenant pull Secret read by get');
      for (const name of [PULL_KEY_SECRET_NAME, 'lifeboat-token-tls', 'lifeboat-token-signer'])
        for (const verb of ['list', 'watch'])
          assert.ok(named.has(`core/secrets ${verb} ${LIFEBOAT_NS}/${name}`), `${verb} of ${name}`);
      const { rules } = isolated.find(
        (o) => o.kind === 'Role' && o.metadata.name === `${RELEASE}-token-service`,
      ) as unknown as { rules: PolicyRule[] };
      assert.deepEqual(
        rules.flatMap((r) => (r as PolicyRule & { resourceNames: string[] }).resourceNames).sort(),
        [PULL_KEY_SECRET_NAME, 'lifeboat-token-signer', 'lifeboat-token-tls'],
      );
    });

    // After the audit check above.
    it('is refused every Secret request outside its rules: no list or watch but by name, no write of the token service Secrets', async () => {
      const api = createKubeApi({ kubeConfig: loadKubeConfig(kubeconfig), qps: 0 });
      const secrets = resourceClient<KubeObject>(api, RESOURCES.secrets);
      const forbidden = (err: unknown): boolean => err instanceof KubeApiError && err.status === 403;
      try {
        // The cluster-wide get isolated needs: a tenant's Secret is read (docs/security.md says so).
        await secrets.get('private-creds', { namespace: reader });
        await assert.rejects(secrets.listAll(), forbidden, 'list of every Secret');
        await assert.rejects(
          secrets.listAll({ namespace: LIFEBOAT_NS }),
          forbidden,
          "list of its own namespace's Secrets",
        );
        await assert.rejects(
          secrets.listAll({ namespace: reader, fieldSelector: 'metadata.name=private-creds' }),
          forbidden,
          'list of a tenant Secret by name',
        );
        await assert.rejects(
          secrets.listAll({ fieldSelector: `metadata.name=${PULL_KEY_SECRET_NAME}` }),
          forbidden,
          'list of the key Secret name in every namespace',
        );
        // The token service Role names its Secrets for list and watch only.
        for (const name of [PULL_KEY_SECRET_NAME, 'lifeboat-token-tls', 'lifeboat-token-signer']) {
          await assert.rejects(
            secrets.mergePatch(name, { metadata: { labels: { a: 'b' } } }, { namespace: LIFEBOAT_NS }),
            forbidden,
            `patch of ${name}`,
          );
          await assert.rejects(
            secrets.delete(name, { namespace: LIFEBOAT_NS }),
            forbidden,
            `delete of ${name}`,
          );
        }
        await assert.rejects(
          secrets.delete('private-creds', { namespace: reader }),
          forbidden,
          'delete of a tenant Secret',
        );
        await assert.rejects(
          secrets.mergePatch('private-creds', { metadata: { labels: { a: 'b' } } }, { namespace: reader }),
          forbidden,
          'patch of a tenant Secret',
        );
      } finally {
        await api.close();
      }
    });
  });
});
