// `lifeboat uninstall` as a child process against the shared control plane (issue 16, B5): while a
// workload still runs images from the backup registry, whose pods pull them with the `lifeboat-pull`
// copies, it refuses, lists the workload and removes nothing; `--force` removes anyway (and with
// `--dry-run` only says what it would remove); after `lifeboat restore` it removes without being
// forced. A backup registry host and a pull-secret name
// of its own, so it sees nothing of the other suites sharing the control plane.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ORIGINAL_IMAGES_ANNOTATION } from '../../../src/controllers/api/labels.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import { backupMapping, parseNormalizedNamed, rewriteReference } from '../../../src/reference/index.ts';
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

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('lifeboat uninstall', () => {
  let cluster: TestCluster;
  let kubeconfig: string;
  const deployments = () => resourceClient<Deployment>(cluster.api, RESOURCES.deployments);
  const secrets = () => resourceClient(cluster.api, RESOURCES.secrets);
  const flags = () => [
    '--kubeconfig',
    kubeconfig,
    '--backup-registry',
    BACKUP_REGISTRY,
    '--pull-secret-name',
    COPY,
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
  });
  after(async () => {
    await cluster.close();
  });

  it('refuses while a workload runs a backup, listing it and removing nothing; --force removes', async () => {
    const ns = await cluster.namespace('uninstall');
    await copyIn(ns);
    await deployments().create(deployment('web', true), { namespace: ns });
    await deployments().create(deployment('plain', false), { namespace: ns });

    const refused = await uninstall();
    assertExit(refused, 1);
    assert.match(refused.stderr, /1 workload still run images from the backup registry/);
    assert.match(refused.stderr, /lifeboat restore/);
    assert.ok(refused.stderr.includes(`  Deployment ${ns}/web: ${backupOf('nginx:1.25')}\n`), refused.stderr);
    assert.ok(!refused.stderr.includes(`${ns}/plain`), refused.stderr);
    assert.equal(await hasCopy(ns), true, 'nothing removed');

    // --dry-run removes nothing; it says what it would remove.
    const dry = await uninstall('--force', '--dry-run');
    assertExit(dry, 0);
    assert.ok(dry.stdout.includes(`namespace ${ns}: would delete Secret ${COPY}\n`), dry.stdout);
    assert.equal(await hasCopy(ns), true, '--dry-run removed nothing');

    assertExit(await uninstall('--force'), 0);
    assert.equal(await hasCopy(ns), false, '--force removed the copy');
    await deployments().delete('web', { namespace: ns });
  });

  it('after `lifeboat restore` it removes the copies without --force', async () => {
    const ns = await cluster.namespace('uninstall');
    await copyIn(ns);
    await deployments().create(deployment('web', true), { namespace: ns });
    assertExit(await uninstall(), 1);

    assertExit(await lifeboat(['restore', '--kubeconfig', kubeconfig, '--namespace', ns]), 0);
    assertExit(await uninstall(), 0);
    assert.equal(await hasCopy(ns), false);
  });
});
