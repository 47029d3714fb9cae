// `lifeboat restore` as a child process against the shared control plane, in namespaces of its own:
// workloads made to look rewritten (backup images, lifeboat.dev/original-images, lifeboat's change
// cause) get their originals back with one patch, and nothing else of them changes; KIND/NAME and
// --namespace limit what is touched; --dry-run writes nothing; bad arguments exit 2.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed, rewriteReference } from '../../../src/reference/index.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import { CHANGE_CAUSE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../../../src/controllers/api/labels.ts';
import { testCluster, uniqueName, type TestCluster } from '../kube/cluster.ts';
import { lifeboat, type CliRun } from './run-cli.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const MAPPING = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const backupOf = (original: string): string =>
  rewriteReference(parseNormalizedNamed(original), MAPPING, { digest: DIGEST }).string();
const LIFEBOAT_CAUSE = 'lifeboat: images moved to backup registry backup.example.com:5000';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { initContainers?: Container[]; containers: Container[]; restartPolicy?: string };
}
interface Deployment extends KubeObject {
  metadata: KubeObject['metadata'] & {
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    generation?: number;
  };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface CronJob extends KubeObject {
  metadata: KubeObject['metadata'] & { annotations?: Record<string, string> };
  spec: { schedule: string; jobTemplate: { spec: { template: PodTemplate } } };
}

/** A Deployment as the workload controller leaves it after its rewrite. */
function rewrittenDeployment(name: string, extra: Record<string, string> = {}): Deployment {
  return {
    metadata: {
      name,
      labels: { app: name, team: 'shop' },
      annotations: {
        [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({
          web: 'nginx:1.25',
          init: 'busybox:1.37',
          cache: 'redis:7',
        }),
        [CHANGE_CAUSE_ANNOTATION]: LIFEBOAT_CAUSE,
        'example.com/owner': 'shop',
        ...extra,
      },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          initContainers: [{ name: 'init', image: backupOf('busybox:1.37') }],
          containers: [
            { name: 'web', image: backupOf('nginx:1.25'), env: [{ name: 'MODE', value: 'prod' }] },
            // Changed by someone since the rewrite: restore leaves it.
            { name: 'cache', image: 'redis:8' },
          ],
        },
      },
    },
  };
}

/**
 * What `lifeboat restore` may change of a Deployment, without what the cluster's own controllers
 * write meanwhile (status, the revision annotation, and so the resourceVersion): a write by restore
 * shows as a change here, including the managedFields entry of its field manager.
 */
function restorable(d: Deployment): unknown {
  const annotations = Object.entries(d.metadata.annotations ?? {}).filter(
    ([key]) => key !== 'deployment.kubernetes.io/revision',
  );
  return {
    generation: d.metadata.generation,
    labels: d.metadata.labels,
    annotations: Object.fromEntries(annotations),
    spec: d.spec,
    writtenByLifeboat: (d.metadata.managedFields ?? []).filter(
      (m) => (m as { manager?: string }).manager === 'lifeboat',
    ),
  };
}

function assertExit(run: CliRun, code: number): void {
  assert.equal(run.code, code, `exit ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('lifeboat restore', () => {
  let cluster: TestCluster;
  let kubeconfig: string;
  const deployments = () => resourceClient<Deployment>(cluster.api, RESOURCES.deployments);
  const restore = (...args: string[]) => lifeboat(['restore', '--kubeconfig', kubeconfig, ...args]);

  before(async () => {
    cluster = await testCluster();
    kubeconfig = cluster.cp.kubeconfigPath;
  });
  after(async () => {
    await cluster.close();
  });

  it('puts the originals back, removes its annotations and leaves the rest of the workload as it was', async () => {
    const ns = await cluster.namespace('restore');
    const created = await deployments().create(rewrittenDeployment('web'), { namespace: ns });

    const run = await restore('--namespace', ns);
    assertExit(run, 0);
    assert.equal(
      run.stdout,
      `Deployment ${ns}/web: restored: web → nginx:1.25, init → busybox:1.37, cache left as redis:8 (changed since)\n`,
    );

    const restored = await deployments().get('web', { namespace: ns });
    assert.equal(restored.metadata.generation, (created.metadata.generation ?? 0) + 1, 'one patch');
    const expected = structuredClone(created.spec);
    const [init] = expected.template.spec.initContainers ?? [];
    const [web] = expected.template.spec.containers;
    assert.ok(init && web);
    init.image = 'busybox:1.37';
    web.image = 'nginx:1.25';
    assert.deepEqual(restored.spec, expected);
    assert.deepEqual(restored.metadata.labels, created.metadata.labels);
    assert.deepEqual((restorable(restored) as { annotations: unknown }).annotations, {
      'example.com/owner': 'shop',
    });

    // Nothing of lifeboat's is left: a second run has nothing to do.
    const again = await restore('--namespace', ns);
    assertExit(again, 0);
    assert.equal(again.stdout, '');
    const unchanged = await deployments().get('web', { namespace: ns });
    assert.deepEqual(restorable(unchanged), restorable(restored));
  });

  it('keeps a change cause that is not lifeboat’s', async () => {
    const ns = await cluster.namespace('restore-cause');
    const workload = rewrittenDeployment('web', { [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image web' });
    await deployments().create(workload, { namespace: ns });
    assertExit(await restore('--namespace', ns), 0);
    const restored = await deployments().get('web', { namespace: ns });
    assert.deepEqual((restorable(restored) as { annotations: unknown }).annotations, {
      'example.com/owner': 'shop',
      [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image web',
    });
  });

  it('restores only the KIND/NAME given, found in any namespace, whatever the kubectl spelling', async () => {
    const ns = await cluster.namespace('restore-one');
    const one = uniqueName('one');
    const other = uniqueName('other');
    await deployments().create(rewrittenDeployment(one), { namespace: ns });
    const untouched = await deployments().create(rewrittenDeployment(other), { namespace: ns });
    const cronJobs = resourceClient<CronJob>(cluster.api, RESOURCES.cronJobs);
    const job = uniqueName('nightly');
    await cronJobs.create(
      {
        metadata: {
          name: job,
          annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ task: 'alpine:3.20' }) },
        },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: {
              template: {
                metadata: { labels: { app: job } },
                spec: {
                  restartPolicy: 'Never',
                  containers: [{ name: 'task', image: backupOf('alpine:3.20') }],
                },
              },
            },
          },
        },
      },
      { namespace: ns },
    );

    const run = await restore(`deploy/${one}`);
    assertExit(run, 0);
    assert.equal(run.stdout.split('\n').filter(Boolean).length, 1, run.stdout);
    assert.match(run.stdout, new RegExp(`^Deployment ${ns}/${one}: restored: `));
    const restored = await deployments().get(one, { namespace: ns });
    assert.equal(restored.spec.template.spec.containers[0]?.image, 'nginx:1.25');
    const still = await deployments().get(other, { namespace: ns });
    assert.deepEqual(restorable(still), restorable(untouched));

    const cj = await restore('--namespace', ns, `CronJob.batch/${job}`);
    assertExit(cj, 0);
    assert.equal(cj.stdout, `CronJob ${ns}/${job}: restored: task → alpine:3.20\n`);
    const cronJob = await cronJobs.get(job, { namespace: ns });
    assert.equal(cronJob.spec.jobTemplate.spec.template.spec.containers[0]?.image, 'alpine:3.20');
    assert.equal(cronJob.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION], undefined);

    const missing = await restore('--namespace', ns, 'sts/nothing-here');
    assertExit(missing, 1);
    assert.match(missing.stderr, /^lifeboat: error: StatefulSet nothing-here not found in namespace /);
  });

  it('touches only the --namespace given', async () => {
    const inside = await cluster.namespace('restore-in');
    const outside = await cluster.namespace('restore-out');
    await deployments().create(rewrittenDeployment('web'), { namespace: inside });
    const other = await deployments().create(rewrittenDeployment('web'), { namespace: outside });
    assertExit(await restore('--namespace', inside), 0);
    assert.equal(
      (await deployments().get('web', { namespace: inside })).spec.template.spec.containers[0]?.image,
      'nginx:1.25',
    );
    const still = await deployments().get('web', { namespace: outside });
    assert.deepEqual(restorable(still), restorable(other));
  });

  it('--dry-run prints what it would do and writes nothing', async () => {
    const ns = await cluster.namespace('restore-dry');
    const created = await deployments().create(rewrittenDeployment('web'), { namespace: ns });
    const run = await restore('--namespace', ns, '--dry-run');
    assertExit(run, 0);
    assert.equal(
      run.stdout,
      `Deployment ${ns}/web: would restore: web → nginx:1.25, init → busybox:1.37, cache left as redis:8 (changed since)\n`,
    );
    const after = await deployments().get('web', { namespace: ns });
    assert.deepEqual(restorable(after), restorable(created));
  });

  it('reports a workload whose annotation it cannot read, restores the others and exits 1', async () => {
    const ns = await cluster.namespace('restore-bad');
    await deployments().create(rewrittenDeployment('bad', { [ORIGINAL_IMAGES_ANNOTATION]: 'not json' }), {
      namespace: ns,
    });
    await deployments().create(rewrittenDeployment('good'), { namespace: ns });
    const run = await restore('--namespace', ns);
    assertExit(run, 1);
    assert.match(
      run.stderr,
      new RegExp(`^lifeboat: error: Deployment ${ns}/bad: annotation lifeboat.dev/original-images`),
    );
    assert.match(run.stdout, new RegExp(`^Deployment ${ns}/good: restored: `));
  });

  it('refuses bad arguments with one line and exit 2, before touching the cluster', async () => {
    const cases: [string[], RegExp][] = [
      [['pod/web'], /^lifeboat: error: "pod\/web" is not KIND\/NAME of a workload/],
      [
        ['--kinds', 'Job'],
        /^lifeboat: error: option '--kinds <kind,...>' argument "Job" is invalid: unknown kind/,
      ],
      [['--namespace', 'Bad_NS'], /^lifeboat: error: option '--namespace <ns>' argument "Bad_NS" is invalid/],
    ];
    for (const [args, pattern] of cases) {
      const run = await lifeboat(['restore', '--kubeconfig', '/nonexistent/kubeconfig', ...args]);
      assertExit(run, 2);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, pattern);
    }
  });
});
