// `lifeboat verify` as a child process against the shared control plane and REAL registries
// (distribution; the backup registry behind htpasswd, read with the pull secret's login): images
// pushed by crane, copied into the backup registry by the copy engine (anchored, as the ImageBackup
// controller copies), workloads rewritten to them as the workload controller writes them. Asserts
// protected / exposed / excluded with their reasons, exit codes, that a deleted layer (checked gone
// with crane) is found and named and `--shallow` does not look, `-o json`, bad flags, and that no
// credential is ever printed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { installCrd } from '../../../src/controllers/api/install-crd.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../../../src/controllers/api/labels.ts';
import { desiredImageBackup } from '../../../src/controllers/workloads/desired-backup.ts';
import {
  pushImage,
  pushIndex,
  runTool,
  startRegistry,
  type LocalRegistry,
  type PushedImage,
} from '../../../src/devenv/index.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import { backupMapping, parseNormalizedNamed } from '../../../src/reference/index.ts';
import { anchorTag, copyImage } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';
import { testCluster, type TestCluster } from '../kube/cluster.ts';
import { lifeboat, type CliRun } from './run-cli.ts';

const MARK = `verify-${randomBytes(4).toString('hex')}`;
const PULL_SECRET = 'lifeboat-pull';

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

/** The rows of the table (cells start where their header starts, as kubectl aligns them). */
function table(stdout: string): Record<string, string>[] {
  const block = stdout.split('\n\n')[0] ?? '';
  const [header, ...rows] = block.trimEnd().split('\n');
  const names = (header ?? '').split(/ {3,}/);
  const starts = names.map((n) => (header ?? '').indexOf(n));
  return rows.map((row) =>
    Object.fromEntries(names.map((n, i) => [n, row.slice(starts[i], starts[i + 1]).trim()])),
  );
}

const summaryLine = (stdout: string): string => stdout.trimEnd().split('\n').at(-1) ?? '';

function deployment(name: string, containers: Record<string, string>, originals?: Record<string, string>) {
  return {
    metadata: {
      name,
      annotations: originals ? { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(originals) } : {},
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: Object.entries(containers).map(([c, image]) => ({ name: c, image })) },
      },
    },
  } as KubeObject & Record<string, unknown>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('lifeboat verify', () => {
  let cluster: TestCluster;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let pusher: ClosableRegistryClient;
  let sourceClient: ClosableRegistryClient;
  let sys: string;
  let good: string;
  let nosecret: string;
  let unanchored: string;
  let pending: string;
  let multi: string;
  let app: PushedImage;
  let appTarget: { repository: string; digest: string };
  const backupNames: string[] = [];
  let args: string[];

  const verify = (...extra: string[]): Promise<CliRun> => lifeboat(['verify', ...args, ...extra]);
  const crane = async (...a: string[]): Promise<string> =>
    (await runTool('crane', [...a, '--insecure'], { registries: [src, dst] })).stdout;

  before(async () => {
    cluster = await testCluster();
    await installCrd(cluster.api);
    [src, dst] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
    pusher = createRegistryClient({
      host: dst.host,
      insecure: true,
      credentials: { kind: 'basic', username: dst.username!, password: dst.password! },
    });
    sourceClient = createRegistryClient({ host: src.host, insecure: true });
    [sys, good, nosecret, unanchored, pending, multi] = await Promise.all([
      cluster.namespace('verify-sys'),
      cluster.namespace('verify-good'),
      cluster.namespace('verify-nosecret'),
      cluster.namespace('verify-unanchored'),
      cluster.namespace('verify-pending'),
      cluster.namespace('verify-multi'),
    ]);
    const mapping = backupMapping({ backupRegistry: dst.host, prefix: 'lifeboat' });
    args = [
      '--kubeconfig',
      cluster.cp.kubeconfigPath,
      '--lifeboat-namespace',
      sys,
      '--backup-registry',
      `${dst.host}/lifeboat`,
      '--backup-pull-secret',
      `${sys}/reader`,
      '--insecure-registries',
      dst.host,
      '--no-require-ready',
      '--exclude-images',
      `**/${MARK}-skip/**`,
    ];

    // The pull secret verify reads with (the reader's login), and its copies in the namespaces.
    const secrets = resourceClient(cluster.api, RESOURCES.secrets);
    const dockerConfig = JSON.stringify({
      auths: { [dst.host]: { auth: b64(`${dst.readerUsername!}:${dst.readerPassword!}`) } },
    });
    const secret = (name: string) => ({
      metadata: { name },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(dockerConfig) },
    });
    await secrets.create(secret('reader'), { namespace: sys });
    for (const ns of [good, unanchored, pending, multi])
      await secrets.create(secret(PULL_SECRET), { namespace: ns });

    /** Pushes `name:1` to the source, copies it as the ImageBackup controller does, marks it Ready. */
    const backedUp = async (name: string, anchor: boolean, platforms?: string[]) => {
      const fixture = { layers: 2, layerSize: 30_000 };
      const image =
        platforms === undefined
          ? await pushImage(src, `${MARK}/${name}:1`, fixture)
          : await pushIndex(src, `${MARK}/${name}:1`, { ...fixture, platforms });
      const source = `${src.host}/${MARK}/${name}:1`;
      const desired: ImageBackup = desiredImageBackup(parseNormalizedNamed(source), { mapping });
      const target = parseNormalizedNamed(desired.spec.target);
      await copyImage({
        source: { client: sourceClient, repository: `${MARK}/${name}`, reference: '1' },
        target: { client: pusher, repository: target.path, reference: target.tag! },
        anchor,
      });
      const backups = imageBackupClient(cluster.api);
      const created = await backups.create(desired);
      backupNames.push(created.metadata.name);
      await backups.patchStatus(created.metadata.name, {
        status: { phase: 'Ready', targetDigest: image.digest, attempts: 1 },
      });
      return {
        image,
        source,
        repository: target.path,
        running: `${dst.host}/${target.path}@${image.digest}`,
      };
    };
    const [a, u, m] = await Promise.all([
      backedUp('app', true),
      backedUp('plain', false),
      backedUp('multi', true, ['linux/amd64', 'linux/arm64']),
    ]);
    app = a.image as PushedImage;
    appTarget = { repository: a.repository, digest: a.image.digest };

    const deployments = resourceClient(cluster.api, RESOURCES.deployments);
    const skipped = `${src.host}/${MARK}-skip/sidecar:1`;
    await deployments.create(deployment('web', { app: a.running, sidecar: skipped }, { app: a.source }), {
      namespace: good,
    });
    await deployments.create(deployment('web', { app: a.running }, { app: a.source }), {
      namespace: nosecret,
    });
    await deployments.create(deployment('web', { app: u.running }, { app: u.source }), {
      namespace: unanchored,
    });
    await deployments.create(deployment('web', { app: m.running }, { app: m.source }), { namespace: multi });
    await deployments.create(deployment('web', { app: `${src.host}/${MARK}/never:1` }), {
      namespace: pending,
    });
  });

  after(async () => {
    const backups = imageBackupClient(cluster.api);
    await Promise.allSettled(backupNames.map((name) => backups.delete(name)));
    await Promise.allSettled([pusher?.close(), sourceClient?.close()]);
    await Promise.allSettled([src?.stop(), dst?.stop()]);
    await cluster.close();
  });

  /** No run may print a password of the registries' logins. */
  function assertNoCredentials(run: CliRun): void {
    for (const secret of [
      dst.password!,
      dst.readerPassword!,
      b64(`${dst.readerUsername!}:${dst.readerPassword!}`),
    ]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a credential was printed');
    }
  }

  it('a backed-up, rewritten workload is protected (exit 0); its excluded sidecar is excluded', async () => {
    // What verify reads: the backup's manifest, its anchor and its blobs (crane, with the push login).
    const tags = (await crane('ls', `${dst.host}/${appTarget.repository}`)).trim().split('\n');
    assert.ok(tags.includes(anchorTag(app.digest)!), tags.join(','));
    const run = await verify('-n', good);
    assertExit(run, 0);
    assertNoCredentials(run);
    const rows = table(run.stdout);
    assert.deepEqual(
      rows.map((r) => [r.NAMESPACE, r.WORKLOAD, r.CONTAINER, r.VERDICT]),
      [
        [good, 'deployment/web', 'app', 'protected'],
        [good, 'deployment/web', 'sidecar', 'excluded'],
      ],
    );
    // 1 manifest; config + 2 layers.
    assert.equal(rows[0]?.REASON, `${app.digest}: complete and anchored (1 manifest, 3 blobs)`);
    assert.match(rows[1]?.REASON ?? '', /^matches --exclude-images/);
    assert.equal(summaryLine(run.stdout), '1 protected, 0 exposed, 1 excluded');
  });

  it('a 2-platform index: the index and both children read and anchored, every blob present', async () => {
    const run = await verify('-n', multi);
    assertExit(run, 0);
    const [row] = table(run.stdout);
    assert.equal(row?.VERDICT, 'protected');
    // 3 manifests; per platform a config and 2 layers.
    assert.match(row?.REASON ?? '', /^sha256:[a-f0-9]{64}: complete and anchored \(3 manifests, 6 blobs\)$/);
  });

  it('-o json: one document with the verdicts and what was checked', async () => {
    const run = await verify('-n', good, '-o', 'json');
    assertExit(run, 0);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      shallow: boolean;
      summary: Record<string, number>;
      containers: {
        container: string;
        verdict: string;
        backup?: { findings: { state: string; digest: string } };
      }[];
    };
    assert.equal(doc.ok, true);
    assert.equal(doc.shallow, false);
    assert.deepEqual(doc.summary, { protected: 1, exposed: 0, excluded: 1 });
    const appRow = doc.containers.find((c) => c.container === 'app');
    assert.equal(appRow?.verdict, 'protected');
    assert.deepEqual(
      { state: appRow?.backup?.findings.state, digest: appRow?.backup?.findings.digest },
      { state: 'checked', digest: app.digest },
    );
  });

  it('exposed, exit 1: no pull secret in the namespace; a backup without anchors; a workload not rewritten', async () => {
    const noSecret = await verify('-n', nosecret);
    assertExit(noSecret, 1);
    const [ns] = table(noSecret.stdout);
    assert.equal(ns?.VERDICT, 'exposed');
    assert.equal(ns?.REASON, `no pull secret: ${PULL_SECRET} is not in its namespace`);

    const plain = await verify('-n', unanchored);
    assertExit(plain, 1);
    const [un] = table(plain.stdout);
    assert.equal(un?.VERDICT, 'exposed');
    assert.match(un?.REASON ?? '', /^no anchor: lifeboat-sha256-[a-f0-9]{64} missing$/);

    const waiting = await verify('-n', pending);
    assertExit(waiting, 1);
    const [p] = table(waiting.stdout);
    assert.equal(p?.VERDICT, 'exposed');
    assert.match(p?.REASON ?? '', /^not rewritten: ImageBackup .+ not created yet$/);
    assert.equal(summaryLine(waiting.stdout), '0 protected, 1 exposed, 0 excluded');
    for (const run of [noSecret, plain, waiting]) assertNoCredentials(run);
  });

  it('a layer deleted from the backup registry: exit 1 naming the workload and the layer; --shallow does not look', async () => {
    // blobs[0] is the config; the first layer goes.
    const layer = app.blobs[1]!;
    const response = await fetch(`${dst.url}/v2/${appTarget.repository}/blobs/${layer.digest}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${b64(`${dst.username!}:${dst.password!}`)}` },
    });
    assert.equal(response.status, 202);
    await assert.rejects(crane('blob', `${dst.host}/${appTarget.repository}@${layer.digest}`));

    const run = await verify('-n', good);
    assertExit(run, 1);
    assertNoCredentials(run);
    const [row] = table(run.stdout);
    assert.deepEqual(
      [row?.NAMESPACE, row?.WORKLOAD, row?.CONTAINER, row?.VERDICT],
      [good, 'deployment/web', 'app', 'exposed'],
    );
    assert.equal(row?.REASON, `backup damaged: layer ${layer.digest} missing`);
    assert.equal(summaryLine(run.stdout), '0 protected, 1 exposed, 1 excluded');

    const shallow = await verify('-n', good, '--shallow');
    assertExit(shallow, 0);
    const [s] = table(shallow.stdout);
    assert.equal(s?.VERDICT, 'protected');
    assert.match(s?.REASON ?? '', /blobs not checked: --shallow/);
    assert.equal(
      summaryLine(shallow.stdout),
      '1 protected, 0 exposed, 1 excluded (manifests only: --shallow)',
    );
  });

  it('a bad flag exits 2 with one line, before reading anything', async () => {
    const unknown = await lifeboat(['verify', ...args, '--bogus']);
    assertExit(unknown, 2);
    assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const output = await verify('-o', 'yaml');
    assertExit(output, 2);
    assert.match(output.stderr, /^lifeboat: error: option '--output <json>' argument "yaml" is invalid/);
    assert.equal(output.stderr.trim().split('\n').length, 1, output.stderr);
    const missing = await lifeboat(['verify', '--kubeconfig', cluster.cp.kubeconfigPath]);
    assertExit(missing, 2);
    assert.match(missing.stderr, /--backup-registry is required/);
  });
});
