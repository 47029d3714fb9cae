// `lifeboat uninstall` as a child process against the shared control plane (issue 16, B5): while a
// workload still runs images from the backup registry, whose pods pull them with the `lifeboat-pull`
// copies, it refuses, lists the workload and removes nothing; `--force` removes anyway (and with
// `--dry-run` removes nothing, exits 0 and lists the blocking workloads and each namespace's copy and
// service-account references it would remove); after `lifeboat restore` it removes without being
// forced; lifeboat's own namespace (`--lifeboat-namespace`) is never touched. A backup registry host and a pull-secret name
// of its own, so it sees nothing of the other suites sharing the control plane.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ADDED_PULL_SECRET_ANNOTATION,
  ORIGINAL_IMAGES_ANNOTATION,
} from '../../../src/controllers/api/labels.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import { backupMapping, parseNormalizedNamed, rewriteReference } from '../../../src/reference/index.ts';
import { manifestOf } from '../../deploy/manifests.ts';
import { testCluster, type TestCluster } from '../kube/cluster.ts';
import { lifeboat, type CliRun } from './run-cli.ts';

const HEX = randomBytes(4).toString('hex');
const BACKUP_REGISTRY = `uninstall-${HEX}.example:5000`;
const COPY = `lb-pull-${HEX}`;
const MAPPING = backupMapping({ backupRegistry: BACKUP_REGISTRY, prefix: 'lifeboat' });
const DIGEST = `sha256:${'b'.repeat(64)}`;
const backupOf = (original: string): string =>
  rewriteReference(parseNormalizedNamed(original), MAPPING, { digest: DIGEST }).string();

interface Deployment extends KubeObject {
  metadata: KubeObject['metadata'] & { annotations?: Record<string, string> };
  spec: unknown;
}

/** A Deployment as the workload controller leaves it after its rewrite (or, `rewritten: false`, any other). */
function deployment(name: string, rewritten: boolean): Deployment {
  const image = rewritten ? backupOf('nginx:1.25') : 'nginx:1.25';
  return {
    metadata: {
      name,
      ...(rewritten
        ? { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ web: 'nginx:1.25' }) } }
        : {}),
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
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

describe('lifeboat uninstall', () => {
  let cluster: TestCluster;
  let kubeconfig: string;
  /** Stands for lifeboat's own namespace: a labelled Secret of the copies' name there stays. */
  let own: string;
  const deployments = () => resourceClient<Deployment>(cluster.api, RESOURCES.deployments);
  const secrets = () => resourceClient(cluster.api, RESOURCES.secrets);
  const accounts = () =>
    resourceClient<KubeObject & { imagePullSecrets?: { name: string }[] }>(
      cluster.api,
      RESOURCES.serviceAccounts,
    );
  const flags = () => [
    '--kubeconfig',
    kubeconfig,
    '--backup-registry',
    BACKUP_REGISTRY,
    '--pull-secret-name',
    COPY,
    '--lifeboat-namespace',
    own,
  ];
  const uninstall = (...args: string[]) => lifeboat(['uninstall', ...flags(), ...args]);

  /** A pull-secret copy as lifeboat's distribution leaves it in `namespace`. */
  async function copyIn(namespace: string): Promise<void> {
    await secrets().create(
      {
        metadata: { name: COPY, labels: { 'app.kubernetes.io/managed-by': 'lifeboat' } },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
      },
      { namespace },
    );
  }
  const hasCopy = async (namespace: string): Promise<boolean> =>
    (await secrets().find(COPY, { namespace })) !== undefined;

  before(async () => {
    cluster = await testCluster();
    kubeconfig = cluster.cp.kubeconfigPath;
    own = await cluster.namespace('uninstall-own');
    await copyIn(own);
  });
  after(async () => {
    await cluster.close();
  });

  it('refuses while a workload runs a backup, listing it and removing nothing; --force removes', async () => {
    const ns = await cluster.namespace('uninstall');
    await copyIn(ns);
    // A service account lifeboat gave the copy to (its annotation vouches for the entry).
    await accounts().create(
      {
        metadata: { name: 'builder', annotations: { [ADDED_PULL_SECRET_ANNOTATION]: COPY } },
        imagePullSecrets: [{ name: COPY }],
      },
      { namespace: ns },
    );
    const referenced = async (): Promise<boolean> =>
      ((await accounts().find('builder', { namespace: ns }))?.imagePullSecrets ?? []).some(
        (r) => r.name === COPY,
      );
    await deployments().create(deployment('web', true), { namespace: ns });
    await deployments().create(deployment('plain', false), { namespace: ns });

    const refused = await uninstall();
    assertExit(refused, 1);
    assert.match(refused.stderr, /1 workload still run images from the backup registry/);
    assert.match(refused.stderr, /lifeboat restore/);
    assert.ok(refused.stderr.includes(`  Deployment ${ns}/web: ${backupOf('nginx:1.25')}\n`), refused.stderr);
    assert.ok(!refused.stderr.includes(`${ns}/plain`), refused.stderr);
    assert.equal(await hasCopy(ns), true, 'nothing removed');

    // --dry-run removes nothing and exits 0; it lists what would block uninstall and what it would
    // remove: each namespace's copy and the service accounts that reference it.
    const removal = `namespace ${ns}: would delete Secret ${COPY}, remove it from service account builder\n`;
    const dry = await uninstall('--dry-run');
    assertExit(dry, 0);
    assert.ok(
      dry.stdout.includes(
        'would refuse: 1 workload still run images from the backup registry (lifeboat restore them first, or --force):\n' +
          `  Deployment ${ns}/web: ${backupOf('nginx:1.25')}\n`,
      ),
      dry.stdout,
    );
    assert.ok(dry.stdout.includes(removal), dry.stdout);
    assert.ok(!dry.stdout.includes(`${ns}/plain`), dry.stdout);
    assert.ok(
      !dry.stdout.includes(`namespace ${own}:`),
      `lifeboat's own namespace is left alone: ${dry.stdout}`,
    );
    const forcedDry = await uninstall('--force', '--dry-run');
    assertExit(forcedDry, 0);
    assert.match(
      forcedDry.stdout,
      new RegExp(`^--force: would remove the ${COPY} copies although 1 workload`),
    );
    assert.ok(forcedDry.stdout.includes(removal), forcedDry.stdout);
    assert.equal(await hasCopy(ns), true, '--dry-run removed no copy');
    assert.equal(await referenced(), true, '--dry-run left the service account alone');

    assertExit(await uninstall('--force'), 0);
    assert.equal(await hasCopy(ns), false, '--force removed the copy');
    assert.equal(await referenced(), false, '--force removed the reference');
    assert.equal(await hasCopy(own), true, "lifeboat's own namespace is never touched");
    await deployments().delete('web', { namespace: ns });
  });

  it('after `lifeboat restore` it removes the copies without --force', async () => {
    const ns = await cluster.namespace('uninstall');
    await copyIn(ns);
    await deployments().create(deployment('web', true), { namespace: ns });
    assertExit(await uninstall(), 1);

    assertExit(await lifeboat(['restore', '--kubeconfig', kubeconfig, '-n', ns]), 0);

    // The controller's Deployment (deploy/'s, with this run's names) says what `run` was given.
    const rendered = manifestOf<RenderedDeployment>('Deployment');
    const [container] = rendered.spec.template.spec.containers;
    const args = container!.args.map((a) =>
      a.startsWith('--backup-registry=')
        ? `--backup-registry=${BACKUP_REGISTRY}/lifeboat`
        : a.startsWith('--pull-secret-name=')
          ? `--pull-secret-name=${COPY}`
          : a.startsWith('--lifeboat-namespace=')
            ? `--lifeboat-namespace=${own}`
            : a,
    );
    const spec = rendered.spec.template.spec;
    await deployments().create(
      {
        ...rendered,
        metadata: { ...rendered.metadata, namespace: own },
        spec: {
          ...rendered.spec,
          replicas: 0,
          template: { ...rendered.spec.template, spec: { ...spec, containers: [{ ...container!, args }] } },
        },
      },
      { namespace: own },
    );
    const dry = await lifeboat([
      'uninstall',
      '--kubeconfig',
      kubeconfig,
      '--from-deployment',
      `${own}/lifeboat`,
      '--dry-run',
    ]);
    assertExit(dry, 0);
    assert.ok(dry.stdout.includes(`namespace ${ns}: would delete Secret ${COPY}\n`), dry.stdout);
    assert.ok(!dry.stdout.includes('would refuse'), dry.stdout);
    assert.ok(!dry.stdout.includes(`namespace ${own}:`), dry.stdout);
    assert.equal(await hasCopy(ns), true);

    assertExit(await uninstall(), 0);
    assert.equal(await hasCopy(ns), false);
  });
});
