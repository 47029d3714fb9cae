// `lifeboat status` as a child process against the shared control plane, in namespaces of its own,
// with ImageBackups whose sources name this run (ImageBackups are cluster-scoped and shared: `-n`
// shows only those the namespace's workloads use) and statuses set as the ImageBackup controller
// would, plus an Event recorded as the workload controller records it. Asserts each workload's state
// and reason, the backups listed, the wide columns, the JSON document, the environment, bad flags.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { desiredImageBackup } from '../../../src/controllers/workloads/desired-backup.ts';
import { installCrd } from '../../../src/controllers/api/install-crd.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup, ImageBackupStatus } from '../../../src/controllers/api/image-backup-schema.ts';
import { IGNORE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../../../src/controllers/api/labels.ts';
import { accessDeniedEvent } from '../../../src/controllers/workloads/events.ts';
import {
  createEventRecorder,
  objectReference,
  RESOURCES,
  resourceClient,
  type KubeObject,
} from '../../../src/kube/index.ts';
import { backupMapping, parseNormalizedNamed } from '../../../src/reference/index.ts';
import { manifestOf } from '../../deploy/manifests.ts';
import { testCluster, type TestCluster } from '../kube/cluster.ts';
import { lifeboat, type CliRun } from './run-cli.ts';

const REGISTRY = 'backup.example.com:5000/lifeboat';
const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const DIGEST = `sha256:${'c'.repeat(64)}`;
const MARK = `status-${randomBytes(4).toString('hex')}`;
const src = (name: string): string => `registry.example.com/${MARK}/${name}:1`;
const desired = (image: string): ImageBackup => desiredImageBackup(parseNormalizedNamed(image), { mapping });

interface Shape {
  image: string;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
}
function deployment(name: string, s: Shape): KubeObject & Record<string, unknown> {
  return {
    metadata: { name, annotations: s.annotations ?? {} },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: s.image }],
          ...(s.nodeSelector && { nodeSelector: s.nodeSelector }),
        },
      },
    },
  };
}
function cronJob(name: string, image: string): KubeObject & Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      schedule: '0 0 1 1 *',
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image }] } } },
      },
    },
  };
}

/** The part of deploy/'s Deployment this test changes. */
interface RenderedDeployment extends KubeObject {
  spec: { template: { spec: { containers: { args: string[]; [field: string]: unknown }[] } } };
}

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

/** The rows of the table whose header starts with `first`, as header → cell (cells split on 3+ spaces). */
function table(stdout: string, first: string): Record<string, string>[] {
  const block = stdout.split('\n\n').find((b) => b.startsWith(first)) ?? '';
  const [header, ...rows] = block.trimEnd().split('\n');
  const names = (header ?? '').split(/ {3,}/);
  // Cells start where their header starts (kubectl alignment), so slice by header positions.
  const starts = names.map((n) => (header ?? '').indexOf(n));
  return rows.map((row) =>
    Object.fromEntries(names.map((n, i) => [n, row.slice(starts[i], starts[i + 1]).trim()])),
  );
}

describe('lifeboat status', () => {
  let cluster: TestCluster;
  let kubeconfig: string;
  let ns: string;
  let excluded: string;
  let notReady: string;
  const backupNames: string[] = [];
  const status = (...args: string[]) =>
    lifeboat(['status', '--kubeconfig', kubeconfig, '--backup-registry', REGISTRY, ...args]);

  before(async () => {
    cluster = await testCluster();
    kubeconfig = cluster.cp.kubeconfigPath;
    await installCrd(cluster.api);
    [ns, excluded, notReady] = await Promise.all([
      cluster.namespace('status'),
      cluster.namespace('status-excl'),
      cluster.namespace('status-nr'),
    ]);
    const deployments = resourceClient(cluster.api, RESOURCES.deployments);
    const backups = imageBackupClient(cluster.api);
    const backup = async (image: string, status: ImageBackupStatus): Promise<void> => {
      const created = await backups.create(desired(image));
      backupNames.push(created.metadata.name);
      await backups.patchStatus(created.metadata.name, { status });
    };
    await backup(src('failed'), {
      phase: 'Failed',
      attempts: 3,
      lastError: 'HTTP 401 from registry.example.com',
    });
    await backup(src('copying'), {
      phase: 'Copying',
      progress: '3/10 blobs, 30%',
      bytesTotal: 3 * 1024 * 1024,
      attempts: 1,
    });
    // What the ImageBackup controller's source check writes (issue 15): the source gone, or there.
    const sourceAvailable = (status: 'True' | 'False', reason: string) => ({
      conditions: [
        {
          type: 'SourceAvailable',
          status,
          reason,
          message: '',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    await backup(src('denied'), {
      phase: 'Ready',
      targetDigest: DIGEST,
      private: true,
      attempts: 1,
      ...sourceAvailable('False', 'NotFound'),
    });
    await backup(src('due'), {
      phase: 'Ready',
      targetDigest: DIGEST,
      attempts: 1,
      ...sourceAvailable('True', 'Found'),
    });
    const backupImage = `${desired(src('rewritten')).spec.target}@${DIGEST}`;
    const originals = (image: string) => ({ [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: image }) });
    const objects: [string, Shape][] = [
      ['failed', { image: src('failed') }],
      ['copying', { image: src('copying') }],
      ['denied', { image: src('denied') }],
      ['nocopy', { image: src('nocopy') }],
      ['ignored', { image: src('ignored'), annotations: { [IGNORE_ANNOTATION]: 'true' } }],
      ['invalid', { image: `registry.example.com/${MARK}/UPPER:1` }],
      ['rewritten', { image: backupImage, annotations: originals(src('rewritten')) }],
      ['reverted', { image: src('reverted'), annotations: originals(src('reverted')) }],
      ['skipped', { image: `registry.example.com/${MARK}-skip/app:1` }],
    ];
    const created = await Promise.all(
      objects.map(([name, shape]) => deployments.create(deployment(name, shape), { namespace: ns })),
    );
    await resourceClient(cluster.api, RESOURCES.cronJobs).create(cronJob('due', src('due')), {
      namespace: ns,
    });
    await deployments.create(deployment('web', { image: src('excluded') }), { namespace: excluded });
    await deployments.create(
      deployment('web', { image: src('nr'), nodeSelector: { 'status-test': 'nowhere' } }),
      {
        namespace: notReady,
      },
    );
    // Never Ready either, but its image has a Ready backup: due at once (issue 15).
    await deployments.create(
      deployment('late', { image: src('due'), nodeSelector: { 'status-test': 'nowhere' } }),
      { namespace: notReady },
    );
    // What the workload controller records when a private source cannot be read with the namespace's secrets.
    const events = createEventRecorder({ api: cluster.api, identity: 'status-test' });
    const denied = created.find((d) => d.metadata.name === 'denied')!;
    events.record(
      objectReference(denied, RESOURCES.deployments),
      accessDeniedEvent('app', desired(src('denied')).spec.source, [{ namespace: ns, name: 'regcred' }]),
    );
    await events.close();
  });
  after(async () => {
    const backups = imageBackupClient(cluster.api);
    await Promise.all(backupNames.map((name) => backups.delete(name)));
    await cluster.close();
  });

  // shared: `denied` is backed up with credentials, so its state comes from the AccessDenied Event
  // (under the default skip it would be PrivateSourceSkipped, as src/controllers/status tests show).
  const common = [
    '--no-require-ready',
    '--private-images',
    'shared',
    '--exclude-images',
    `**/${MARK}-skip/**`,
  ];

  it('shows each workload with its state and why, and the backups they use', async () => {
    const run = await status('-n', ns, ...common);
    assertExit(run, 0);
    const workloads = table(run.stdout, 'NAMESPACE');
    const byName = new Map(workloads.map((w) => [w['KIND/NAME'], w]));
    const expected: [string, string, RegExp][] = [
      [
        'deployment/failed',
        'CopyFailed',
        /^app: registry.example.com\/.*\/failed:1: HTTP 401 from registry.example.com$/,
      ],
      ['deployment/copying', 'WaitingForCopy', /^app: copying .*copying:1 \(3\/10 blobs, 30%\)$/],
      [
        'deployment/denied',
        'AccessDenied',
        /denied:1 needed credentials to back up, and this namespace's pull secrets \(regcred\)/,
      ],
      ['deployment/nocopy', 'WaitingForCopy', /^app: ImageBackup .* not created yet$/],
      ['deployment/ignored', 'Ignored', /^annotated lifeboat.dev\/ignore=true$/],
      ['deployment/invalid', 'InvalidReference', /^not backed up: app: ".*UPPER:1"/],
      ['deployment/rewritten', 'Rewritten', /^1\/1 images run from backups$/],
      ['deployment/reverted', 'Reverted', /another writer put the original images back/],
      ['deployment/skipped', 'Excluded', /^nothing to back up: app: matches --exclude-images/],
      ['cronjob/due', 'RewriteDue', /^every backup is Ready/],
    ];
    assert.equal(workloads.length, expected.length, run.stdout);
    for (const [name, state, reason] of expected) {
      const row = byName.get(name);
      assert.equal(row?.NAMESPACE, ns, name);
      assert.equal(row?.STATE, state, `${name}: ${row?.REASON}`);
      assert.match(row?.REASON ?? '', reason, name);
    }
    const backups = table(run.stdout, 'NAME');
    assert.deepEqual(backups.map((b) => b.NAME).sort(), [...backupNames].sort());
    const copying = backups.find((b) => b.SOURCE === desired(src('copying')).spec.source);
    assert.deepEqual(
      { phase: copying?.PHASE, progress: copying?.PROGRESS, size: copying?.SIZE },
      { phase: 'Copying', progress: '3/10 blobs, 30%', size: '3.0 MiB' },
    );
    assert.match(copying?.AGE ?? '', /^\d+s$/);
    const sourceStates = new Map(backups.map((b) => [b.SOURCE, b['SOURCE-STATE']]));
    assert.deepEqual(
      [src('denied'), src('due'), src('failed')].map((i) => sourceStates.get(desired(i).spec.source)),
      ['gone', 'available', 'unchecked'],
      'the source state of each backup, from its SourceAvailable condition',
    );
  });

  it('-o wide adds the target, digest, privacy, attempts, last error, images and backups', async () => {
    const run = await status('-n', ns, '-o', 'wide', ...common);
    assertExit(run, 0);
    const backups = table(run.stdout, 'NAME');
    const denied = backups.find((b) => b.SOURCE === desired(src('denied')).spec.source);
    assert.deepEqual(
      [denied?.TARGET, denied?.DIGEST, denied?.PRIVATE, denied?.ATTEMPTS, denied?.['LAST-ERROR']],
      [desired(src('denied')).spec.target, DIGEST, 'true', '1', '<none>'],
    );
    const failed = backups.find((b) => b.SOURCE === desired(src('failed')).spec.source);
    assert.equal(failed?.['LAST-ERROR'], 'HTTP 401 from registry.example.com');
    const due = table(run.stdout, 'NAMESPACE').find((w) => w['KIND/NAME'] === 'cronjob/due');
    assert.equal(due?.IMAGES, src('due'));
    assert.equal(due?.BACKUPS, `${desired(src('due')).spec.target}@${DIGEST}`);
  });

  it('-o json is one document with every row, and LIFEBOAT_* variables work as the flags', async () => {
    const run = await lifeboat(['status', '-o', 'json'], {
      env: {
        LIFEBOAT_KUBECONFIG: kubeconfig,
        LIFEBOAT_BACKUP_REGISTRY: REGISTRY,
        LIFEBOAT_WORKLOAD_NAMESPACE: ns,
        LIFEBOAT_REQUIRE_READY: 'false',
        LIFEBOAT_EXCLUDE_IMAGES: `**/${MARK}-skip/**`,
        LIFEBOAT_PRIVATE_IMAGES: 'shared',
      },
    });
    assertExit(run, 0);
    const doc = JSON.parse(run.stdout) as {
      imageBackups: { name: string; phase: string; usedBy: string[] }[];
      workloads: {
        kind: string;
        namespace: string;
        name: string;
        state: string;
        reason: string;
        images: unknown[];
        backups: string[];
      }[];
    };
    assert.deepEqual(Object.keys(doc), ['imageBackups', 'workloads']);
    assert.deepEqual(doc.imageBackups.map((b) => b.name).sort(), [...backupNames].sort());
    const due = doc.workloads.find((w) => w.kind === 'CronJob' && w.name === 'due');
    assert.deepEqual(due, {
      kind: 'CronJob',
      namespace: ns,
      name: 'due',
      state: 'RewriteDue',
      reason: due?.reason,
      images: [
        {
          container: 'job',
          init: false,
          image: src('due'),
          action: 'backup',
          backup: desired(src('due')).metadata.name,
          target: `${desired(src('due')).spec.target}@${DIGEST}`,
        },
      ],
      backups: [desired(src('due')).metadata.name],
    });
    const dueBackup = doc.imageBackups.find((b) => b.name === desired(src('due')).metadata.name);
    assert.deepEqual(dueBackup?.usedBy, [`CronJob/${ns}/due`]);
    assert.deepEqual(doc.workloads.map((w) => w.state).sort(), [
      'AccessDenied',
      'CopyFailed',
      'Excluded',
      'Ignored',
      'InvalidReference',
      'Reverted',
      'RewriteDue',
      'Rewritten',
      'WaitingForCopy',
      'WaitingForCopy',
    ]);
  });

  it("says why: an excluded namespace, and a workload that has not rolled out (run's default)", async () => {
    const ex = await status('-n', excluded, '--exclude-namespaces', excluded);
    assertExit(ex, 0);
    const [row] = table(ex.stdout, 'NAMESPACE');
    assert.deepEqual(
      [row?.STATE, row?.REASON],
      [
        'Excluded',
        `namespace ${excluded} is excluded by --exclude-namespaces, a system namespace or lifeboat's own (--lifeboat-namespace)`,
      ],
    );
    assert.match(ex.stdout, /^No ImageBackups found\.$/m);

    const nr = await status('-n', notReady);
    assertExit(nr, 0);
    const rows = new Map(table(nr.stdout, 'NAMESPACE').map((w) => [w['KIND/NAME'], w]));
    const pending = rows.get('deployment/web');
    assert.equal(pending?.STATE, 'NotReady', nr.stdout);
    assert.match(pending?.REASON ?? '', /--require-ready/);
    const late = rows.get('deployment/late');
    assert.equal(late?.STATE, 'RewriteDue', `not Ready, but every image has a Ready backup: ${nr.stdout}`);
  });

  it('refuses a bad flag with exit 2, naming it, before reading the cluster', async () => {
    const bad = await status('-o', 'yaml');
    assertExit(bad, 2);
    assert.match(bad.stderr, /^lifeboat: error: option '--output <wide\|json>' argument "yaml" is invalid/);
    const missing = await lifeboat(['status', '--kubeconfig', kubeconfig]);
    assertExit(missing, 2);
    assert.match(missing.stderr, /--backup-registry is required \(or LIFEBOAT_BACKUP_REGISTRY\)/);
    const ns = await status('-n', 'Not_A_Namespace');
    assertExit(ns, 2);
    assert.match(
      ns.stderr,
      /^lifeboat: error: option '--namespace <ns>' argument "Not_A_Namespace" is invalid/,
    );
  });

  it("reads run's flags from the controller's Deployment, created from deploy/ (--from-deployment)", async () => {
    const home = await cluster.namespace('status-ctl');
    const deployments = resourceClient<KubeObject & Record<string, unknown>>(
      cluster.api,
      RESOURCES.deployments,
    );
    // deploy/'s Deployment, with this run's registry and exclusions, in a namespace of its own.
    const rendered = manifestOf<RenderedDeployment>('Deployment');
    const container = rendered.spec.template.spec.containers[0]!;
    const args = container.args.map((a) =>
      a.startsWith('--backup-registry=')
        ? `--backup-registry=${REGISTRY}`
        : a.startsWith('--lifeboat-namespace=')
          ? `--lifeboat-namespace=${home}`
          : a,
    );
    assert.ok(
      args.includes(`--lifeboat-namespace=${home}`),
      "deploy/ names lifeboat's namespace with --lifeboat-namespace",
    );
    const controller = (name: string, containerArgs: string[], env: unknown[] = []) => ({
      ...rendered,
      metadata: { ...rendered.metadata, name, namespace: home },
      spec: {
        ...rendered.spec,
        replicas: 0,
        template: {
          ...rendered.spec.template,
          spec: { ...rendered.spec.template.spec, containers: [{ ...container, args: containerArgs, env }] },
        },
      },
    });
    await deployments.create(
      controller('lifeboat', args, [{ name: 'LIFEBOAT_EXCLUDE_NAMESPACES', value: excluded }]),
      { namespace: home },
    );
    const fromDeployment = (ref: string, ...more: string[]) =>
      lifeboat(['status', '--kubeconfig', kubeconfig, '--from-deployment', ref, ...more]);

    // No --backup-registry, no --exclude-namespaces here: both come from the Deployment.
    const ex = await fromDeployment(`${home}/lifeboat`, '-n', excluded);
    assertExit(ex, 0);
    assert.equal(table(ex.stdout, 'NAMESPACE')[0]?.STATE, 'Excluded', ex.stdout);
    const nr = await fromDeployment(`${home}/lifeboat`, '-n', notReady, '-o', 'json');
    assertExit(nr, 0);
    const doc = JSON.parse(nr.stdout) as { workloads: { name: string; state: string }[] };
    assert.equal(doc.workloads.find((w) => w.name === 'web')?.state, 'NotReady', nr.stdout);
    const verified = await lifeboat([
      'verify',
      '--kubeconfig',
      kubeconfig,
      '--from-deployment',
      `${home}/lifeboat`,
      '-n',
      excluded,
    ]);
    assertExit(verified, 0);

    // A flag it reads from the Deployment, given too: a usage error.
    const both = await fromDeployment(`${home}/lifeboat`, '--backup-registry', REGISTRY);
    assertExit(both, 2);
    assert.match(
      both.stderr,
      /^lifeboat: error: --backup-registry: read from the Deployment with --from-deployment/,
    );

    // Not lifeboat's, or arguments `run` would refuse: usage errors (2), naming the Deployment.
    await deployments.create(controller('web', ['nginx', '-g', 'daemon off;']), { namespace: home });
    await deployments.create(controller('broken', [...args, '--no-such-flag']), { namespace: home });
    const [web, broken, absent, verifyWeb] = await Promise.all([
      fromDeployment(`${home}/web`),
      fromDeployment(`${home}/broken`),
      fromDeployment(`${home}/nothing-here`),
      lifeboat(['verify', '--kubeconfig', kubeconfig, '--from-deployment', `${home}/web`]),
    ]);
    for (const run of [web, verifyWeb]) {
      assertExit(run, 2);
      assert.equal(
        run.stderr,
        `lifeboat: error: Deployment ${home}/web is not lifeboat's: none of its containers runs \`lifeboat run\`\n`,
      );
    }
    assertExit(broken, 2);
    assert.match(
      broken.stderr,
      new RegExp(
        `^lifeboat: error: Deployment ${home}/broken: its \`lifeboat run\` arguments do not parse: unknown option '--no-such-flag'\n$`,
      ),
    );
    // Not there: the command failed (1), it was not misused.
    assertExit(absent, 1);
    assert.equal(
      absent.stderr,
      `lifeboat: error: --from-deployment: Deployment ${home}/nothing-here not found\n`,
    );
  });
});
