// The generated ImageBackup CRD against the real kube-apiserver: it is accepted, and the API server
// judges the table of schema-cases.test-support.ts exactly as the zod definition does (schema.test.ts),
// which proves the TypeScript type and the CRD's OpenAPI schema agree. Objects read back parse with
// the zod schema and equal what was sent: a field zod knows and the CRD did not would have been pruned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  isInvalid,
  RESOURCES,
  resourceClient,
  type KubeObject,
  type NamedObject,
} from '../../../src/kube/index.ts';
import { imageBackupCrd } from '../../../src/controllers/api/crd.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import { imageBackupSchema } from '../../../src/controllers/api/image-backup-schema.ts';
import {
  caseObject,
  IMAGE_BACKUP_CASES,
} from '../../../src/controllers/api/image-backup-schema-cases.test-support.ts';
import { testCluster, uniqueName, type TestCluster } from '../kube/cluster.ts';

interface Crd extends NamedObject {
  status?: { conditions?: { type: string; status: string }[] };
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('the ImageBackup CRD on the API server', () => {
  let cluster: TestCluster;
  const crd = imageBackupCrd();
  const crds = () => resourceClient<Crd>(cluster.api, RESOURCES.customResourceDefinitions);
  // Untyped on purpose: the table's invalid objects are no ImageBackups.
  const raw = () => resourceClient<KubeObject>(cluster.api, IMAGE_BACKUPS);

  before(async () => {
    cluster = await testCluster();
  });
  // The control plane is shared: leave no CRD (and so no ImageBackup) behind for other suites. The
  // deletion finishes in the background, as env/control-plane.test.ts's does: waiting here for the
  // CRD to be gone was followed, in 4 runs of 4, by the pull-secrets suite's `lifeboat run`
  // processes failing (exit 1 on SIGTERM: an unhandled ClientHttp2Stream error from api.close()).
  // Cause not found; see the report of this change.
  after(async () => {
    await crds().delete(crd.metadata.name);
    await cluster.close();
  });

  it('is accepted by a server-side dry run, then installed and Established', async () => {
    await crds().create(crd, { dryRun: true });
    assert.equal(await crds().find(crd.metadata.name), undefined, 'a dry run persists nothing');
    await crds().create(crd);
    await waitFor(
      async () =>
        (await crds().get(crd.metadata.name)).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ) === true,
      { what: 'ImageBackup CRD Established', timeoutMs: 60_000 },
    );
  });

  for (const c of IMAGE_BACKUP_CASES) {
    it(`${c.valid ? 'accepts' : 'refuses with 422'}: ${c.name}`, async () => {
      const name = uniqueName('case');
      const { status, ...withoutStatus } = caseObject(c, name);
      const create = raw().create(withoutStatus as unknown as KubeObject);
      if (!c.valid && status === undefined) {
        await assert.rejects(create, isInvalid);
        assert.equal(await raw().find(name), undefined);
        return;
      }
      await create;
      if (status !== undefined) {
        const patch = raw().patchStatus(name, { status });
        if (!c.valid) {
          await assert.rejects(patch, isInvalid);
          return;
        }
        await patch;
      }
      const stored = imageBackupSchema.parse(await imageBackupClient(cluster.api).get(name));
      assert.deepEqual(stored.spec, c.spec);
      assert.deepEqual(stored.status, status);
    });
  }

  it('prints Source, Phase, Ready, Progress, Size and Age, and Target under -o wide (kubectl get ib)', async () => {
    const name = uniqueName('columns');
    const spec = { source: 'docker.io/library/busybox:1.37', target: 'backup.example/busybox:1.37' };
    const status = {
      phase: 'Copying',
      progress: '12/30 blobs, 40%',
      bytesTotal: 4096,
      size: '4.0 KiB',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Copying',
          message: 'copy attempt 1 is running',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    await imageBackupClient(cluster.api).create({ metadata: { name }, spec });
    await imageBackupClient(cluster.api).patchStatus(name, { status });
    const table = await cluster.api.requestJson<{
      kind: string;
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    }>({
      path: `/apis/${IMAGE_BACKUPS.group}/${IMAGE_BACKUPS.version}/${IMAGE_BACKUPS.plural}`,
      query: { fieldSelector: `metadata.name=${name}` },
      headers: { accept: TABLE_ACCEPT },
    });
    assert.equal(table.kind, 'Table');
    assert.deepEqual(
      table.columnDefinitions.map((d) => d.name),
      ['Name', 'Source', 'Phase', 'Ready', 'Progress', 'Size', 'Age', 'Target'],
    );
    assert.deepEqual(
      table.columnDefinitions.filter((d) => d.priority > 0).map((d) => d.name),
      ['Target'],
      'only -o wide shows the target',
    );
    assert.equal(table.rows.length, 1);
    const cells = table.rows[0]?.cells ?? [];
    assert.deepEqual(cells.slice(0, 6), [
      name,
      spec.source,
      status.phase,
      'False',
      status.progress,
      '4.0 KiB',
    ]);
    assert.equal(cells[7], spec.target);
  });
});
