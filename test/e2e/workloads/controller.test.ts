// The workload controller in process against the real API server (the run's shared control plane),
// with a fake RegistryProbe and the test playing the ImageBackup controller (fakes.ts). The control
// plane is shared with other suites: the controller is given an exclusion set that excludes every
// namespace but this run's, every image names this run, and nothing outside them is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  createSharedInformers,
  RESOURCES,
  resourceClient,
  type KubeObject,
  type SharedInformers,
} from '../../../src/kube/index.ts';
import { createFakeEventRecorder, type FakeEventRecorder } from '../../../src/kube/event-recorder-fake.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import { imageBackupName } from '../../../src/controllers/api/image-backup-name.ts';
import { backupMapping, parseNormalizedNamed } from '../../../src/reference/index.ts';
import {
  createWorkloadController,
  type WorkloadController,
} from '../../../src/controllers/workloads/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import {
  CHANGE_CAUSE_ANNOTATION,
  IGNORE_ANNOTATION,
  IGNORE_LABEL,
  ORIGINAL_IMAGES_ANNOTATION,
} from '../../../src/controllers/api/labels.ts';
import { memoryLogger, testCluster, uniqueName, type TestCluster } from '../kube/cluster.ts';
import {
  copiedDigest,
  ensureImageBackupCrd,
  fakeBackupController,
  fakeProbe,
  type FakeBackupController,
  type FakeProbe,
} from './fakes.ts';

const RUN = uniqueName('lbwl');
const SOURCE = `registry.example.com/${RUN}`;
const BACKUP = `backup.example.com:5000/lifeboat/registry.example.com/${RUN}`;
const PULL_SECRET = 'lifeboat-pull';
const WAIT = { timeoutMs: 60_000 } as const;
const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

/** Every namespace but those whose name starts with `prefix` counts as excluded. */
class OnlyPrefixed extends Set<string> {
  readonly #prefix: string;
  readonly #also: (name: string) => boolean;
  constructor(prefix: string, also: (name: string) => boolean = () => false) {
    super();
    this.#prefix = prefix;
    this.#also = also;
  }
  override has(name: string): boolean {
    return !name.startsWith(this.#prefix) || this.#also(name);
  }
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  imagePullSecrets?: { name: string }[];
  serviceAccountName?: string;
}
interface Deployment extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec: { replicas: number; selector: unknown; template: { metadata: unknown; spec: PodSpec } };
}
interface CronJob extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec: {
    schedule: string;
    jobTemplate: { spec: { template: { spec: PodSpec & { restartPolicy: string } } } };
  };
}

describe('workload controller (in process, real API server)', () => {
  let cluster: TestCluster;
  let informers: SharedInformers;
  let createdCrd = false;
  let fakeA: FakeBackupController;
  let probe: FakeProbe;
  let events: FakeEventRecorder;
  let wc: WorkloadController;
  let dry: WorkloadController;
  let dryEvents: FakeEventRecorder;
  const metrics = new Registry();
  const log = memoryLogger('debug');
  const dryLog = memoryLogger('debug');
  const stop = new AbortController();
  let running: Promise<unknown>;

  const deployments = () => resourceClient<Deployment>(cluster.api, RESOURCES.deployments);
  const cronJobs = () => resourceClient<CronJob>(cluster.api, RESOURCES.cronJobs);
  const backups = () => imageBackupClient(cluster.api);
  const backupNameOf = (image: string) => imageBackupName(parseNormalizedNamed(image));

  async function namespace(kind = 'x', pullSecret = true): Promise<string> {
    const ns = await cluster.namespace(`${RUN}-${kind}`);
    if (pullSecret) await createPullSecret(ns);
    return ns;
  }
  async function createPullSecret(ns: string): Promise<void> {
    await resourceClient(cluster.api, RESOURCES.secrets).create({
      metadata: { name: PULL_SECRET, namespace: ns },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
  }
  function deployment(
    ns: string,
    name: string,
    pod: PodSpec,
    annotations?: Record<string, string>,
  ): Deployment {
    return {
      metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: pod },
      },
    };
  }
  const images = (pod: PodSpec): string[] =>
    [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image);
  const reasonsFor = (recorder: FakeEventRecorder, ns: string, name: string) =>
    recorder.events
      .filter((e) => e.regarding.namespace === ns && e.regarding.name === name)
      .map((e) => e.reason);
  const reconciles = (logs: typeof log, key: string): number =>
    logs.lines().filter((l) => l.key === key && (l.msg === 'reconciled' || l.msg === 'reconcile failed'))
      .length;
  /**
   * Reconciles `key` once more (on whatever state) and waits for that reconcile to end, as the
   * controller's own log (`logs`) says.
   */
  async function reconcileAgain(controller: WorkloadController, key: string, logs = log): Promise<void> {
    const before = reconciles(logs, key);
    controller.controller.enqueue(key);
    await waitFor(() => reconciles(logs, key) > before, { what: `a reconcile of ${key}`, ...WAIT });
  }
  async function rewritten(ns: string, name: string): Promise<Deployment> {
    let got: Deployment | undefined;
    await waitFor(
      async () => {
        got = await deployments().get(name, { namespace: ns });
        return (
          got.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION] !== undefined &&
          images(got.spec.template.spec).some((i) => i.startsWith(BACKUP))
        );
      },
      { what: `${ns}/${name} rewritten`, ...WAIT },
    );
    return got!;
  }

  before(async () => {
    cluster = await testCluster();
    createdCrd = await ensureImageBackupCrd(cluster.api);
    fakeA = fakeBackupController(cluster.api, RUN);
    probe = fakeProbe();
    events = createFakeEventRecorder();
    dryEvents = createFakeEventRecorder();
    informers = createSharedInformers({ api: cluster.api });
    const common = {
      api: cluster.api,
      informers,
      probe,
      kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob'] as const,
      pinDigest: true,
      pullSecretName: PULL_SECRET,
      // The private-backup cases below are `shared` mode's (BackupAccessDenied); skip and isolated
      // are test/e2e/tenants'.
      privateImages: 'shared' as const,
    };
    wc = createWorkloadController({
      ...common,
      events,
      logger: log.logger,
      registry: metrics,
      dryRun: false,
      eligibility: {
        excludedNamespaces: new OnlyPrefixed(RUN, (ns) => ns.startsWith(`${RUN}-dry`)),
        excludeImages: [`${SOURCE}/excluded*`],
        requireReady: false,
        mapping,
      },
    });
    dry = createWorkloadController({
      ...common,
      events: dryEvents,
      logger: dryLog.logger,
      dryRun: true,
      eligibility: { excludedNamespaces: new OnlyPrefixed(`${RUN}-dry`), requireReady: false, mapping },
    });
    informers.start();
    running = Promise.all([wc.run(stop.signal), dry.run(stop.signal)]);
    await waitFor(() => wc.hasSynced() && dry.hasSynced(), { what: 'caches synced', ...WAIT });
  });

  after(async () => {
    stop.abort();
    await running;
    await informers.stop();
    await fakeA.stop();
    // Leave no CRD (and so no ImageBackup) behind for other suites, as the CRD suite does.
    if (createdCrd)
      await resourceClient(cluster.api, RESOURCES.customResourceDefinitions).delete(
        `${IMAGE_BACKUPS.plural}.${IMAGE_BACKUPS.group}`,
      );
    else for (const b of await fakeA.backups()) await backups().delete(b.metadata.name);
    await cluster.close();
  });

  it('backs up every distinct image, rewrites only once all are Ready, with one guarded patch', async () => {
    const ns = await namespace();
    await resourceClient(cluster.api, RESOURCES.serviceAccounts).create({
      metadata: { name: 'builder', namespace: ns },
      imagePullSecrets: [{ name: 'from-account' }],
    });
    const pinned = `${SOURCE}/pinned@${digest('b')}`;
    const tagPinned = `${SOURCE}/tool:2@${digest('c')}`;
    const pod: PodSpec = {
      serviceAccountName: 'builder',
      imagePullSecrets: [{ name: 'regcred' }],
      initContainers: [{ name: 'init', image: `${SOURCE}/init:1` }],
      containers: [
        { name: 'app', image: `${SOURCE}/app:1` },
        { name: 'again', image: `${SOURCE}/app:1` },
        { name: 'pinned', image: pinned },
        { name: 'tool', image: tagPinned },
        { name: 'skipped', image: `${SOURCE}/excluded:1` },
      ],
    };
    for (const held of ['/init:1', '/app:1', '/pinned', '/tool:2']) fakeA.hold.add(held);
    await deployments().create(deployment(ns, 'web', pod, { owner: 'team' }));
    const wanted = [`${SOURCE}/init:1`, `${SOURCE}/app:1`, pinned, tagPinned];
    await waitFor(async () => (await fakeA.backups()).length >= 4, { what: 'four ImageBackups', ...WAIT });
    const created = await fakeA.backups();
    assert.deepEqual(created.map((b) => b.spec.source).sort(), [...wanted].sort());
    const app = await backups().get(backupNameOf(`${SOURCE}/app:1`));
    // The workload's pull secrets (its own, its service account's) are not written to the backup:
    // nothing in it depends on which workload asked.
    assert.deepEqual(app.spec, { source: `${SOURCE}/app:1`, target: `${BACKUP}/app:1` });
    assert.equal((await backups().get(backupNameOf(pinned))).spec.target, `${BACKUP}/pinned@${digest('b')}`);
    assert.equal((await backups().get(backupNameOf(tagPinned))).spec.target, `${BACKUP}/tool:2`);

    // Three of four Ready: nothing is written to the workload.
    for (const image of ['/init:1', '/pinned', '/tool:2']) fakeA.hold.delete(image);
    await waitFor(
      async () => (await fakeA.backups()).filter((b) => b.status?.phase === 'Ready').length === 3,
      { what: 'three Ready', ...WAIT },
    );
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    const waiting = await deployments().get('web', { namespace: ns });
    assert.equal(waiting.metadata.generation, 1);
    assert.deepEqual(images(waiting.spec.template.spec), images(pod));

    fakeA.hold.delete('/app:1');
    const done = await rewritten(ns, 'web');
    assert.equal(done.metadata.generation, 2, 'one patch: generation + 1');
    assert.deepEqual(images(done.spec.template.spec), [
      `${BACKUP}/init:1@${copiedDigest(`${SOURCE}/init:1`)}`,
      `${BACKUP}/app:1@${copiedDigest(`${SOURCE}/app:1`)}`,
      `${BACKUP}/app:1@${copiedDigest(`${SOURCE}/app:1`)}`,
      `${BACKUP}/pinned@${digest('b')}`,
      `${BACKUP}/tool:2@${digest('c')}`,
      `${SOURCE}/excluded:1`,
    ]);
    assert.deepEqual(done.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }, { name: PULL_SECRET }]);
    assert.equal(done.metadata.annotations?.owner, 'team');
    assert.deepEqual(JSON.parse(done.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION] ?? ''), {
      init: `${SOURCE}/init:1`,
      app: `${SOURCE}/app:1`,
      again: `${SOURCE}/app:1`,
      pinned,
      tool: tagPinned,
    });
    assert.equal(
      done.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION],
      'lifeboat: images moved to backup registry backup.example.com:5000',
    );
    // Every backup manifest was checked before the patch.
    for (const b of await fakeA.backups()) {
      if (!wanted.includes(b.spec.source)) continue;
      const repository = b.spec.target.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
      assert.ok(probe.heads.includes(`${repository}@${b.status?.targetDigest}`), b.spec.source);
    }
    await waitFor(() => reasonsFor(events, ns, 'web').includes(EventReasons.ImagesMovedToBackup), {
      what: 'ImagesMovedToBackup',
      ...WAIT,
    });

    // Already on its backups: further reconciles write nothing.
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    assert.equal((await deployments().get('web', { namespace: ns })).metadata.generation, 2);
    assert.match(
      await metrics.getSingleMetricAsString('lifeboat_rewrites_total'),
      /kind="Deployment",result="rewritten"} [1-9]/,
    );
  });

  it('rewrites a CronJob at its job template, init containers included', async () => {
    const ns = await namespace();
    await cronJobs().create({
      metadata: { name: 'nightly', namespace: ns },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                initContainers: [{ name: 'prep', image: `${SOURCE}/prep:1` }],
                containers: [{ name: 'job', image: `${SOURCE}/job:1` }],
              },
            },
          },
        },
      },
    });
    await waitFor(
      async () =>
        (
          await cronJobs().get('nightly', { namespace: ns })
        ).spec.jobTemplate.spec.template.spec.containers[0]?.image.startsWith(BACKUP) === true,
      { what: 'CronJob rewritten', ...WAIT },
    );
    const job = await cronJobs().get('nightly', { namespace: ns });
    assert.deepEqual(images(job.spec.jobTemplate.spec.template.spec), [
      `${BACKUP}/prep:1@${copiedDigest(`${SOURCE}/prep:1`)}`,
      `${BACKUP}/job:1@${copiedDigest(`${SOURCE}/job:1`)}`,
    ]);
    assert.equal(job.metadata.generation, 2);
  });

  it('waits for the pull secret in the namespace before it rewrites', async () => {
    const ns = await namespace('x', false);
    await deployments().create(
      deployment(ns, 'web', { containers: [{ name: 'app', image: `${SOURCE}/waits:1` }] }),
    );
    await waitFor(
      async () => (await backups().find(backupNameOf(`${SOURCE}/waits:1`)))?.status?.phase === 'Ready',
      { what: 'backup Ready', ...WAIT },
    );
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    assert.equal((await deployments().get('web', { namespace: ns })).metadata.generation, 1);
    await createPullSecret(ns);
    const done = await rewritten(ns, 'web');
    assert.equal(done.metadata.generation, 2);
  });

  it("a user's edit between lifeboat's read and its patch survives, and the workload converges", async () => {
    const ns = await namespace();
    await deployments().create(
      deployment(ns, 'web', {
        containers: [{ name: 'app', image: `${SOURCE}/edit:1`, env: [{ name: 'MODE', value: 'a' }] }],
      }),
    );
    let edits = 0;
    probe.beforeAnswer = async (repository) => {
      if (!repository.endsWith('/edit') || edits > 0) return;
      edits++;
      // The user edits an env var and moves to a new image while lifeboat is between read and patch.
      await deployments().jsonPatch(
        'web',
        [
          { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'b' },
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${SOURCE}/edit:2` },
        ],
        { namespace: ns },
      );
    };
    try {
      const done = await rewritten(ns, 'web');
      assert.equal(edits, 1);
      assert.deepEqual(done.spec.template.spec.containers[0], {
        ...done.spec.template.spec.containers[0],
        image: `${BACKUP}/edit:2@${copiedDigest(`${SOURCE}/edit:2`)}`,
        env: [{ name: 'MODE', value: 'b' }],
      });
      assert.deepEqual(JSON.parse(done.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION] ?? ''), {
        app: `${SOURCE}/edit:2`,
      });
      assert.equal(done.metadata.generation, 3, "the user's edit, then lifeboat's one patch");
      assert.ok(reasonsFor(events, ns, 'web').includes(EventReasons.RewriteConflict));
    } finally {
      probe.beforeAnswer = undefined;
    }
  });

  it("another writer's revert stays reverted, with RewriteReverted and no further writes", async () => {
    const ns = await namespace();
    const original = `${SOURCE}/revert:1`;
    await deployments().create(deployment(ns, 'web', { containers: [{ name: 'app', image: original }] }));
    await rewritten(ns, 'web');
    // GitOps re-applies its manifest: the original image comes back, lifeboat's annotation stays.
    const reverted = await deployments().jsonPatch(
      'web',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: original }],
      { namespace: ns },
    );
    await waitFor(() => reasonsFor(events, ns, 'web').includes(EventReasons.RewriteReverted), {
      what: 'RewriteReverted',
      ...WAIT,
    });
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    await reconcileAgain(wc, `Deployment/${ns}/web`);
    const after = await deployments().get('web', { namespace: ns });
    assert.equal(after.metadata.generation, reverted.metadata.generation);
    assert.equal(after.spec.template.spec.containers[0]?.image, original);
    assert.equal(
      reasonsFor(events, ns, 'web').filter((r) => r === EventReasons.RewriteReverted).length,
      1,
      'once per generation',
    );
    // A new release (another image) is backed up and rewritten again.
    await deployments().jsonPatch(
      'web',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${SOURCE}/revert:2` }],
      { namespace: ns },
    );
    await waitFor(
      async () =>
        (
          await deployments().get('web', { namespace: ns })
        ).spec.template.spec.containers[0]?.image.startsWith(`${BACKUP}/revert:2@`) === true,
      { what: 'rewritten again', ...WAIT },
    );
  });

  it('a private backup: rewritten where the namespace can read the source, BackupAccessDenied and untouched where not', async () => {
    const withCreds = await namespace();
    const without = await namespace();
    const image = `${SOURCE}/private:1`;
    fakeA.privateSources.add('/private:1');
    probe.readable = (source, refs) =>
      !source.includes('/private:') || refs.some((r) => r.name === 'regcred');
    try {
      await deployments().create(deployment(without, 'web', { containers: [{ name: 'app', image }] }));
      await deployments().create(
        deployment(withCreds, 'web', {
          imagePullSecrets: [{ name: 'regcred' }],
          containers: [{ name: 'app', image }],
        }),
      );
      await rewritten(withCreds, 'web');
      await waitFor(() => reasonsFor(events, without, 'web').includes(EventReasons.BackupAccessDenied), {
        what: 'BackupAccessDenied',
        ...WAIT,
      });
      const untouched = await deployments().get('web', { namespace: without });
      assert.equal(untouched.metadata.generation, 1);
      assert.equal(untouched.spec.template.spec.containers[0]?.image, image);
      assert.equal(untouched.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION], undefined);
      assert.ok(probe.readChecks.some((c) => c.source === image && c.refs.length === 0));
      assert.match(
        await metrics.getSingleMetricAsString('lifeboat_rewrites_total'),
        /result="access_denied"} [1-9]/,
      );
    } finally {
      probe.readable = () => true;
    }
  });

  it('a backup deleted while in use is re-created; a Ready backup whose manifest is missing is copied again first', async () => {
    const ns = await namespace();
    const image = `${SOURCE}/reused:1`;
    await deployments().create(deployment(ns, 'web', { containers: [{ name: 'app', image }] }));
    await rewritten(ns, 'web');
    const name = backupNameOf(image);
    const before = await backups().get(name);
    await backups().delete(name);
    await waitFor(
      async () => {
        const again = await backups().find(name);
        return again !== undefined && again.metadata.uid !== before.metadata.uid;
      },
      { what: 'backup re-created', ...WAIT },
    );
    assert.deepEqual((await backups().get(name)).spec, before.spec);

    const second = await namespace();
    const missing = `${SOURCE}/missing:1`;
    let refusals = 0;
    probe.present = (repository) => {
      if (!repository.endsWith('/missing') || refusals > 0) return true;
      refusals++;
      return false;
    };
    try {
      await deployments().create(
        deployment(second, 'web', { containers: [{ name: 'app', image: missing }] }),
      );
      const done = await rewritten(second, 'web');
      assert.equal(refusals, 1);
      assert.ok(fakeA.resetToPending.has(backupNameOf(missing)), 'set back to Pending before the rewrite');
      assert.equal(done.metadata.generation, 2);
    } finally {
      probe.present = () => true;
    }
  });

  it('a deleted workload leaves its backups in place', async () => {
    const ns = await namespace();
    const image = `${SOURCE}/outlives:1`;
    await deployments().create(deployment(ns, 'web', { containers: [{ name: 'app', image }] }));
    await rewritten(ns, 'web');
    const name = backupNameOf(image);
    const before = await backups().get(name);
    await deployments().delete('web', { namespace: ns });
    await waitFor(async () => (await deployments().find('web', { namespace: ns })) === undefined, {
      what: 'the Deployment gone',
      ...WAIT,
    });
    // The controller has seen the deletion once a later object in another namespace is handled.
    const other = await namespace();
    await deployments().create(deployment(other, 'web', { containers: [{ name: 'app', image }] }));
    await rewritten(other, 'web');
    const after = await backups().get(name);
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.metadata.deletionTimestamp, undefined);
  });

  it('ignored, excluded and unreadable workloads are left untouched; an invalid reference gets InvalidImageReference', async () => {
    const ns = await namespace();
    const ignoredNs = await namespace();
    await resourceClient(cluster.api, RESOURCES.namespaces).mergePatch(ignoredNs, {
      metadata: { labels: { [IGNORE_LABEL]: 'true' } },
    });
    await deployments().create(
      deployment(
        ns,
        'ignored',
        { containers: [{ name: 'app', image: `${SOURCE}/ignored:1` }] },
        { [IGNORE_ANNOTATION]: 'true' },
      ),
    );
    await deployments().create(
      deployment(ignoredNs, 'web', { containers: [{ name: 'app', image: `${SOURCE}/in-ignored-ns:1` }] }),
    );
    await deployments().create(
      deployment(ns, 'invalid', {
        containers: [
          { name: 'ok', image: `${SOURCE}/fine:1` },
          { name: 'bad', image: `${SOURCE}/Bad:1` },
        ],
      }),
    );
    await waitFor(() => reasonsFor(events, ns, 'invalid').includes(EventReasons.InvalidImageReference), {
      what: 'InvalidImageReference',
      ...WAIT,
    });
    await reconcileAgain(wc, `Deployment/${ns}/ignored`);
    await reconcileAgain(wc, `Deployment/${ignoredNs}/web`);
    await reconcileAgain(wc, `Deployment/${ns}/invalid`);
    for (const [n, name] of [
      [ns, 'ignored'],
      [ignoredNs, 'web'],
      [ns, 'invalid'],
    ] as const) {
      const d = await deployments().get(name, { namespace: n });
      assert.equal(d.metadata.generation, 1, `${n}/${name}`);
      assert.equal(d.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION], undefined);
    }
    const sources = (await fakeA.backups()).map((b) => b.spec.source);
    for (const image of ['/ignored:1', '/in-ignored-ns:1', '/fine:1'])
      assert.ok(!sources.some((s) => s.endsWith(image)), image);
    assert.equal(
      reasonsFor(events, ns, 'invalid').filter((r) => r === EventReasons.InvalidImageReference).length,
      1,
    );
    assert.deepEqual(reasonsFor(events, ns, 'ignored'), []);
  });

  it('dry run writes nothing and records WouldBackUp and WouldRewrite', async () => {
    const ns = await namespace('dry');
    const image = `${SOURCE}/dry:1`;
    await deployments().create(deployment(ns, 'web', { containers: [{ name: 'app', image }] }));
    await waitFor(() => reasonsFor(dryEvents, ns, 'web').includes(EventReasons.WouldRewrite), {
      what: 'WouldRewrite',
      ...WAIT,
    });
    const would = dryEvents.events.filter((e) => e.regarding.namespace === ns);
    assert.deepEqual(
      would.map((e) => [e.reason, e.note]),
      [
        [EventReasons.WouldBackUp, `${image} → ${BACKUP}/dry:1`],
        [EventReasons.WouldRewrite, `app: ${image} → ${BACKUP}/dry:1`],
      ],
    );
    await reconcileAgain(dry, `Deployment/${ns}/web`, dryLog);
    assert.equal(await backups().find(backupNameOf(image)), undefined);
    const d = await deployments().get('web', { namespace: ns });
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION], undefined);
    assert.deepEqual(reasonsFor(events, ns, 'web'), [], 'the writing controller leaves that namespace alone');
  });
});
