// lifeboat as the backup registry's token service (`--private-images=isolated`, issue 16), end to
// end: `lifeboat run` as a child process against a real control plane; a real distribution whose
// `auth.token` realm is lifeboat's endpoint and whose rootcertbundle is the signer the test made;
// crane (an independent client, honouring SSL_CERT_FILE for the endpoint's CA) pulls each backup
// with each namespace's own `lifeboat-pull`. Attacks are run as a tenant would: B pulls A's private
// backup, B presents A's user name with B's password, B's user reads lifeboat's key Secret. Then the
// key is rotated. lifeboat's own copies into the registry go through the same token service.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createKubeApi,
  KubeApiError,
  loadKubeConfig,
  RESOURCES,
  resourceClient,
  type KubeApi,
  type KubeObject,
} from '../../../src/kube/index.ts';
import {
  createTokenServicePki,
  freePort,
  pushImage,
  startControlPlane,
  startRegistry,
  tlsSecretData,
  toolPath,
  waitFor,
  type ControlPlane,
  type LocalRegistry,
  type TokenServicePki,
} from '../../../src/devenv/index.ts';
import { IMAGE_BACKUPS } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';

const NS = 'lifeboat-system';
const SERVICE = 'lifeboat-e2e-registry';
const ISSUER = 'lifeboat-e2e';
const WAIT = { timeoutMs: 90_000 };
const PUSH_USER = 'lifeboat-pusher';
const PUSH_PASSWORD = randomBytes(12).toString('hex');

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}
type Backup = ImageBackup & KubeObject;

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

interface CraneResult {
  readonly ok: boolean;
  readonly out: string;
}

describe('registry token service (--private-images=isolated)', () => {
  let cp: ControlPlane;
  let api: KubeApi;
  let source: LocalRegistry;
  let backup: LocalRegistry;
  let pki: TokenServicePki;
  let lb: LifeboatProcess;
  let dir: string;
  let realm: string;
  /** Backup targets by role. */
  const targets = { public: '', private: '' };
  const secrets = () => resourceClient<Secret>(api, RESOURCES.secrets);
  const backups = () => resourceClient<Backup>(api, IMAGE_BACKUPS);

  /** `crane pull` of `ref` with `dockerConfigJson` as the only credentials, trusting the endpoint's CA. */
  function crane(ref: string, dockerConfigJson: string | undefined): Promise<CraneResult> {
    const home = mkdtempSync(join(tmpdir(), 'lifeboat-crane-'));
    if (dockerConfigJson !== undefined) writeFileSync(join(home, 'config.json'), dockerConfigJson);
    return new Promise((resolve) =>
      execFile(
        toolPath('crane'),
        ['pull', '--insecure', ref, join(home, 'image.tar')],
        {
          env: {
            HOME: home,
            DOCKER_CONFIG: home,
            PATH: process.env.PATH ?? '',
            SSL_CERT_FILE: pki.endpointCa.cert,
          },
        },
        (err, stdout, stderr) => {
          rmSync(home, { recursive: true, force: true });
          resolve({ ok: err === null, out: err ? stderr : stdout });
        },
      ),
    );
  }
  const copyConfig = async (ns: string): Promise<string> => {
    const copy = await secrets().get('lifeboat-pull', { namespace: ns });
    return Buffer.from(copy.data!['.dockerconfigjson']!, 'base64').toString('utf8');
  };
  const credentialOf = (config: string) =>
    (JSON.parse(config) as { auths: Record<string, { username: string; password: string }> }).auths[
      backup.host
    ]!;
  const configWith = (username: string, password: string) =>
    JSON.stringify({ auths: { [backup.host]: { auth: b64(`${username}:${password}`) } } });
  /** A token request straight to the endpoint (the same one distribution's realm names). */
  async function tokenStatus(
    username: string,
    password: string,
    repository: string,
    form: 'get' | 'oauth' = 'get',
  ): Promise<number> {
    const { Agent, request } = await import('undici');
    const { readFileSync } = await import('node:fs');
    const dispatcher = new Agent({ connect: { ca: readFileSync(pki.endpointCa.cert, 'utf8') } });
    const scope = `repository:${repository}:pull`;
    try {
      // GET with Basic (crane, lifeboat), or the OAuth2 password form containerd posts first.
      const res =
        form === 'get'
          ? await request(`${realm}?service=${SERVICE}&scope=${scope}`, {
              headers: { authorization: `Basic ${b64(`${username}:${password}`)}` },
              dispatcher,
            })
          : await request(realm, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                grant_type: 'password',
                username,
                password,
                service: SERVICE,
                scope,
                client_id: 'containerd',
              }).toString(),
              dispatcher,
            });
      await res.body.dump();
      return res.statusCode;
    } finally {
      await dispatcher.close();
    }
  }

  async function deploy(ns: string, name: string, image: string): Promise<void> {
    await resourceClient(api, RESOURCES.namespaces)
      .create({ metadata: { name: ns } })
      .catch((err: unknown) => {
        if (!(err instanceof KubeApiError && err.status === 409)) throw err;
      });
    await api.requestJson({
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
        },
      },
    });
  }
  async function readyBackupOf(sourceRepo: string): Promise<Backup> {
    let found: Backup | undefined;
    await waitFor(
      async () => {
        found = (await backups().listAll()).find(
          (b) => b.spec.source.includes(sourceRepo) && b.status?.phase === 'Ready',
        );
        return found !== undefined;
      },
      { what: `a Ready backup of ${sourceRepo} (pushed through the token service)`, ...WAIT },
    );
    return found!;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-tokens-'));
    pki = createTokenServicePki(dir);
    const port = await freePort();
    realm = `https://localhost:${port}/token`;
    [cp, source, backup] = await Promise.all([
      startControlPlane({ nodes: 0 }),
      startRegistry({ auth: 'none' }),
      startRegistry({
        auth: 'lifeboat-token',
        lifeboatToken: { realm, service: SERVICE, issuer: ISSUER, rootCertBundle: pki.signer.cert },
      }),
    ]);
    api = createKubeApi({ kubeConfig: loadKubeConfig(cp.kubeconfigPath), qps: 0 });
    await resourceClient(api, RESOURCES.namespaces).create({ metadata: { name: NS } });
    for (const [name, data, type] of [
      ['token-tls', tlsSecretData(pki.endpoint), 'kubernetes.io/tls'],
      ['token-signer', tlsSecretData(pki.signer), 'kubernetes.io/tls'],
      [
        'lifeboat-backup-push',
        {
          '.dockerconfigjson': b64(
            JSON.stringify({ auths: { [backup.host]: { auth: b64(`${PUSH_USER}:${PUSH_PASSWORD}`) } } }),
          ),
        },
        'kubernetes.io/dockerconfigjson',
      ],
    ] as const) {
      await secrets().create({ metadata: { name }, type, data }, { namespace: NS });
    }
    const [pub, priv] = await Promise.all([
      pushImage(source, 'tenants/public-app:1', { layers: 1, layerSize: 2048 }),
      pushImage(source, 'tenants/private-app:1', { layers: 1, layerSize: 2048 }),
    ]);
    lb = startLifeboat([
      'run',
      '--kubeconfig',
      cp.kubeconfigPath,
      '--backup-registry',
      `${backup.host}/lifeboat`,
      '--backup-push-secret',
      `${NS}/lifeboat-backup-push`,
      '--private-images',
      'isolated',
      '--token-addr',
      `127.0.0.1:${port}`,
      '--token-tls-secret',
      `${NS}/token-tls`,
      '--token-signing-secret',
      `${NS}/token-signer`,
      '--token-issuer',
      ISSUER,
      '--token-service',
      SERVICE,
      '--registry-ca',
      pki.endpointCa.cert,
      '--insecure-registries',
      `${backup.host},${source.host}`,
      '--no-require-ready',
      '--exclude-namespaces',
      'default',
      '--metrics-addr',
      '127.0.0.1:0',
      '--install-crds',
      '--log-level',
      'debug',
    ]);
    await lb.address();
    await lb.waitForLog((l) => l.msg === 'token service listening', 'the token endpoint', 60_000);
    await deploy('team-a', 'private-app', priv.ref);
    await deploy('team-b', 'public-app', pub.ref);
    const [publicBackup, privateBackup] = await Promise.all([
      readyBackupOf('tenants/public-app'),
      readyBackupOf('tenants/private-app'),
    ]);
    targets.public = publicBackup.spec.target;
    targets.private = privateBackup.spec.target;
    // What the workload controller records when it checks access (the `private` helper's half):
    // the source needed credentials, and only team-a's were shown to read it.
    await backups().patchStatus(privateBackup.metadata.name, {
      status: { private: true, readers: ['team-a'] },
    });
    for (const ns of ['team-a', 'team-b']) {
      await waitFor(async () => (await secrets().find('lifeboat-pull', { namespace: ns })) !== undefined, {
        what: `lifeboat-pull in ${ns}`,
        ...WAIT,
      });
    }
  });

  after(async () => {
    await lb?.stop('SIGKILL');
    await api?.close();
    await Promise.all([source?.stop(), backup?.stop()]);
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes each namespace's own credential into its lifeboat-pull, for the backup registry only", async () => {
    for (const ns of ['team-a', 'team-b']) {
      const config = JSON.parse(await copyConfig(ns)) as { auths: Record<string, { username: string }> };
      assert.deepEqual(Object.keys(config.auths), [backup.host]);
      assert.equal(config.auths[backup.host]!.username, `lifeboat-ns-${ns}`);
    }
    assert.notEqual(
      credentialOf(await copyConfig('team-a')).password,
      credentialOf(await copyConfig('team-b')).password,
    );
  });

  it('lets every namespace pull a public backup, and nobody anonymously', async () => {
    for (const ns of ['team-a', 'team-b']) {
      const got = await crane(targets.public, await copyConfig(ns));
      assert.ok(got.ok, `${ns} pulls the public backup: ${got.out}`);
    }
    const anonymous = await crane(targets.public, undefined);
    assert.equal(anonymous.ok, false, 'anonymous gets an empty grant: the registry refuses');
  });

  it('lets A pull its private backup and refuses it to B', async () => {
    const a = await crane(targets.private, await copyConfig('team-a'));
    assert.ok(a.ok, `team-a pulls its private backup: ${a.out}`);
    const b = await crane(targets.private, await copyConfig('team-b'));
    assert.equal(b.ok, false, 'team-b must not pull team-a’s private backup');
    assert.match(b.out, /UNAUTHORIZED|DENIED|unauthorized|denied|401|403/);
  });

  it("refuses B presenting A's user name with B's password", async () => {
    const bPassword = credentialOf(await copyConfig('team-b')).password;
    const forged = await crane(targets.private, configWith('lifeboat-ns-team-a', bPassword));
    assert.equal(forged.ok, false);
    const repository = targets.private.slice(backup.host.length + 1).split(/[:@]/)[0]!;
    assert.equal(await tokenStatus('lifeboat-ns-team-a', bPassword, repository), 401);
    assert.equal(
      await tokenStatus('lifeboat-ns-team-a', credentialOf(await copyConfig('team-a')).password, repository),
      200,
      'the same request with A’s own password is answered: the refusal is the password’s doing',
    );
    // The kubelet's runtime (containerd) posts the OAuth2 password form: the same rules apply.
    assert.equal(await tokenStatus('lifeboat-ns-team-a', bPassword, repository, 'oauth'), 401);
    assert.equal(
      await tokenStatus(
        'lifeboat-ns-team-a',
        credentialOf(await copyConfig('team-a')).password,
        repository,
        'oauth',
      ),
      200,
    );
  });

  it("keeps the key Secret from B's namespace-scoped user", async () => {
    const rbac = (path: string, body: unknown) => api.requestJson({ method: 'POST', path, body });
    await resourceClient(api, RESOURCES.serviceAccounts).create(
      { metadata: { name: 'tenant' } },
      { namespace: 'team-b' },
    );
    await rbac('/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/roles', {
      metadata: { name: 'tenant' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    });
    await rbac('/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings', {
      metadata: { name: 'tenant' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: 'team-b' }],
    });
    const asTenant = (path: string) =>
      api.requestJson({ path, headers: { 'Impersonate-User': 'system:serviceaccount:team-b:tenant' } });
    // RBAC is cached by the authorizer's informers: wait until the tenant can read its own namespace.
    await waitFor(
      () =>
        asTenant('/api/v1/namespaces/team-b/secrets/lifeboat-pull').then(
          () => true,
          () => false,
        ),
      { what: "the tenant's Role in force", ...WAIT },
    );
    await assert.rejects(
      asTenant(`/api/v1/namespaces/${NS}/secrets/lifeboat-pull-key`),
      (err: unknown) => err instanceof KubeApiError && err.status === 403,
    );
  });

  it('stops old passwords after a key rotation, and the rewritten copies work', async () => {
    const oldA = await copyConfig('team-a');
    const oldB = await copyConfig('team-b');
    const key = await secrets().get('lifeboat-pull-key', { namespace: NS });
    assert.equal(Buffer.from(key.data!.key!, 'base64').length, 32, 'lifeboat created a 32-byte key');
    await secrets().replace({ ...key, data: { key: b64(randomBytes(32)) } }, { namespace: NS });
    for (const [ns, old] of [
      ['team-a', oldA],
      ['team-b', oldB],
    ] as const) {
      await waitFor(async () => (await copyConfig(ns)) !== old, { what: `${ns}'s copy rewritten`, ...WAIT });
    }
    const stale = await crane(targets.public, oldA);
    assert.equal(stale.ok, false, 'the old password is refused');
    const fresh = await crane(targets.private, await copyConfig('team-a'));
    assert.ok(fresh.ok, `the rewritten copy pulls: ${fresh.out}`);
    const freshB = await crane(targets.public, await copyConfig('team-b'));
    assert.ok(freshB.ok, `team-b's rewritten copy pulls the public backup: ${freshB.out}`);
  });

  it('stops serving and exits cleanly on SIGTERM', async () => {
    assert.equal(await lb.stop('SIGTERM'), 0, lb.stderr());
    const refused = await tokenStatus('lifeboat-ns-team-a', 'x', 'lifeboat/any').then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'the endpoint is closed');
  });
});
