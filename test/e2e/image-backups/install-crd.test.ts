// installCrd against the real kube-apiserver: a fresh install ends Established with exactly the
// generated spec; an installed CRD of another (older) shape is upgraded in place, keeping its
// labels; a second call writes nothing; a CRD still being deleted is waited out and re-created.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import { RESOURCES, resourceClient, type NamedObject } from '../../../src/kube/index.ts';
import { imageBackupCrd } from '../../../src/controllers/api/crd.ts';
import { installCrd } from '../../../src/controllers/api/install-crd.ts';
import { IMAGE_BACKUPS } from '../../../src/controllers/api/image-backup-resource.ts';
import { testCluster, uniqueName, type TestCluster } from '../kube/cluster.ts';

interface Crd extends NamedObject {
  metadata: NamedObject['metadata'] & {
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: { versions: { name: string; additionalPrinterColumns?: unknown[]; schema?: unknown }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

interface Instance extends NamedObject {
  metadata: NamedObject['metadata'] & { finalizers?: string[] };
  spec: Record<string, unknown>;
}

const established = (crd: Crd | undefined): boolean =>
  crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;

/** The generated version, as the API server stores it (it adds no defaults inside a version's schema). */
const wantedVersion = imageBackupCrd().spec.versions as Crd['spec']['versions'];

describe('installCrd on the API server', () => {
  let cluster: TestCluster;
  const name = imageBackupCrd().metadata.name;
  const crds = () => resourceClient<Crd>(cluster.api, RESOURCES.customResourceDefinitions);

  /** Deletes the CRD (a previous suite's, maybe still terminating) and waits until it is gone. */
  const gone = async (): Promise<void> => {
    await crds().delete(name);
    await waitFor(async () => (await crds().find(name)) === undefined, {
      what: 'the ImageBackup CRD gone',
      timeoutMs: 60_000,
    });
  };

  before(async () => {
    cluster = await testCluster();
  });
  // As crd.test.ts: the deletion finishes in the background; later suites install it themselves.
  after(async () => {
    await crds().delete(name);
    await cluster.close();
  });

  it('installs it fresh and returns once it is Established', async () => {
    await gone();
    await installCrd(cluster.api);
    const crd = await crds().get(name);
    assert.ok(established(crd), 'Established when installCrd returns');
    assert.deepEqual(crd.spec.versions, wantedVersion);
  });

  it('upgrades a CRD of another shape in place, keeping its labels', async () => {
    const installed = await crds().get(name);
    const older = structuredClone(installed);
    older.metadata.labels = { 'example.com/owner': 'gitops' };
    const [version] = older.spec.versions;
    assert.ok(version);
    delete version.additionalPrinterColumns;
    version.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    const downgraded = await crds().replace(older);
    assert.notDeepEqual(downgraded.spec.versions, wantedVersion);

    await installCrd(cluster.api);
    const upgraded = await crds().get(name);
    assert.equal(upgraded.metadata.uid, installed.metadata.uid, 'upgraded, not re-created');
    assert.deepEqual(upgraded.spec.versions, wantedVersion);
    assert.deepEqual(upgraded.metadata.labels, { 'example.com/owner': 'gitops' });
    assert.ok(established(upgraded));
  });

  it('writes nothing when the CRD is already current', async () => {
    const before = await crds().get(name);
    await installCrd(cluster.api);
    const after = await crds().get(name);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(after.metadata.generation, before.metadata.generation);
  });

  it('waits for a CRD being deleted to go, then creates it afresh', async () => {
    const old = await crds().get(name);
    // An instance with a finalizer holds the CRD in deletion until the finalizer is removed.
    const instances = resourceClient<Instance>(cluster.api, IMAGE_BACKUPS);
    const held = uniqueName('held');
    await instances.create({
      metadata: { name: held, finalizers: ['example.com/hold'] },
      spec: { source: 'docker.io/library/busybox:1.37', target: 'backup.example/busybox:1.37' },
    });
    await crds().delete(name);
    await waitFor(async () => (await crds().get(name)).metadata.deletionTimestamp !== undefined, {
      what: 'the CRD terminating',
      timeoutMs: 30_000,
    });
    const install = installCrd(cluster.api, { timeoutMs: 120_000 });
    let settled = false;
    void install.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The finalizer is still there: the CRD cannot be gone, so installCrd cannot have finished.
    const terminating = await crds().get(name);
    assert.equal(terminating.metadata.uid, old.metadata.uid);
    assert.ok(terminating.metadata.deletionTimestamp);
    assert.equal(settled, false);

    await instances.mergePatch(held, { metadata: { finalizers: null } });
    await install;
    const fresh = await crds().get(name);
    assert.notEqual(fresh.metadata.uid, old.metadata.uid, 'a new CRD');
    assert.equal(fresh.metadata.deletionTimestamp, undefined);
    assert.ok(established(fresh));
    assert.deepEqual(fresh.spec.versions, wantedVersion);
  });
});
