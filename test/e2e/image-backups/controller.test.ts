// The ImageBackup controller in-process against the REAL API server (the shared control plane) and
// REAL registries: a public source (no auth), a private source (htpasswd) and a token-auth backup
// registry, faults injected by a proxy in front of the real source. ImageBackups are created as the
// workload controller creates them (desiredImageBackup), after the Deployment that runs the image
// when its pull Secrets matter, and every result in a registry is checked with crane, never with
// lifeboat's own code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import {
  pushImage,
  pushIndex,
  runTool,
  startRegistry,
  waitFor,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import { imageBackupCrd } from '../../../src/controllers/api/crd.ts';
import { desiredImageBackup } from '../../../src/controllers/workloads/desired-backup.ts';
import {
  createImageBackupController,
  type ImageBackupControllerOptions,
} from '../../../src/controllers/image-backups/controller.ts';
import {
  createRegistryAccess,
  type RegistryAccess,
  type SecretRef,
} from '../../../src/controllers/image-backups/registry-access.ts';
import { IMAGE_BACKUPS, imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import {
  createSharedInformers,
  isAlreadyExists,
  RESOURCES,
  resourceClient,
  type NamedObject,
} from '../../../src/kube/index.ts';
import { createFakeEventRecorder, type RecordedEvent } from '../../../src/kube/event-recorder-fake.ts';
import { backupMapping, parseNormalizedNamed, type BackupMapping } from '../../../src/reference/index.ts';
import { anchorTag, registryClientFactory } from '../../../src/registry/index.ts';
import { sleep } from '../../../src/common/sleep.ts';
import { memoryLogger, testCluster, type TestCluster } from '../kube/cluster.ts';
import { startFaultProxy, type FaultProxy } from '../registry/fault-proxy.ts';

/** What crane prints when the registry holds no such manifest, blob or repository. */
const ABSENT = /MANIFEST_UNKNOWN|BLOB_UNKNOWN|NAME_UNKNOWN|404/;
const BACKOFF = { initialMs: 1_000, maxMs: 4_000 };
const MAX_COPIES = 2;
const SMALL = { layers: 2, layerSize: 40_000 } as const;

interface Crd extends NamedObject {
  metadata: NamedObject['metadata'] & { deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

interface TimedEvent extends RecordedEvent {
  readonly at: number;
}

interface Harness {
  readonly access: RegistryAccess;
  readonly metrics: Registry;
  /** The controller's ImageBackup cache has listed. */
  synced(): boolean;
  stop(): Promise<void>;
}

describe('the ImageBackup controller (real API server, real registries)', () => {
  let cluster: TestCluster;
  let pub: LocalRegistry;
  let priv: LocalRegistry;
  let backup: LocalRegistry;
  let mapping: BackupMapping;
  let namespace: string;
  let harness: Harness;
  let pullRef: SecretRef;
  const proxies: FaultProxy[] = [];
  const log = memoryLogger('debug');
  const recorder = createFakeEventRecorder();
  const events: TimedEvent[] = [];
  const crd = imageBackupCrd();
  const crds = () => resourceClient<Crd>(cluster.api, RESOURCES.customResourceDefinitions);
  const backups = () => imageBackupClient(cluster.api);
  const deployments = () => resourceClient(cluster.api, RESOURCES.deployments);
  const unique = (prefix: string): string => `ib-${prefix}-${randomBytes(4).toString('hex')}`;

  const dockerConfig = (
    host: string,
    user: string,
    password: string,
    more: Record<string, [string, string]> = {},
  ): Record<string, string> => {
    const auths = Object.fromEntries(
      Object.entries({ [host]: [user, password], ...more }).map(([h, [u, p]]) => [
        h,
        { auth: Buffer.from(`${u}:${p}`).toString('base64') },
      ]),
    );
    return { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') };
  };
  /** A registry user name that must never reach a status or an Event (B8): logins the registries refuse. */
  const TENANT_USER = `tenant-robot-${randomBytes(4).toString('hex')}`;

  function startHarness(
    sources: Pick<
      ImageBackupControllerOptions,
      'sourceCheckIntervalMs' | 'onSourceChange' | 'progressIntervalMs'
    > = {},
  ): Harness {
    const registry = new Registry();
    const informers = createSharedInformers({ api: cluster.api });
    const access = createRegistryAccess({
      api: cluster.api,
      createClient: registryClientFactory({
        insecureRegistries: ['127.0.0.1'],
        // Few, short retries: the faults below are permanent unless a test lifts them.
        retry: { attempts: 2, baseMs: 20, maxMs: 50 },
        logger: log.logger,
      }),
      mapping,
      pushSecret: { namespace, name: 'push' },
      sourceCredentials: { namespace, name: 'fallback' },
      logger: log.logger,
      registry,
    });
    const backupController = createImageBackupController({
      api: cluster.api,
      informers,
      access,
      events: {
        record(regarding, event) {
          recorder.record(regarding, event);
          events.push({ ...recorder.events.at(-1)!, at: Date.now() });
        },
      },
      logger: log.logger,
      registry,
      maxConcurrentCopies: MAX_COPIES,
      backoff: BACKOFF,
      kinds: ['Deployment'],
      ...sources,
    });
    informers.start();
    const abort = new AbortController();
    const running = backupController.run(abort.signal);
    return {
      access,
      metrics: registry,
      synced: () => backupController.hasSynced(),
      async stop() {
        abort.abort();
        await running;
        await informers.stop();
        await access.close();
      },
    };
  }

  before(async () => {
    cluster = await testCluster();
    [pub, priv, backup] = await Promise.all([
      startRegistry({ auth: 'none' }),
      startRegistry({ auth: 'htpasswd' }),
      startRegistry({ auth: 'token' }),
    ]);
    mapping = backupMapping({ backupRegistry: backup.host, prefix: 'lifeboat' });
    await installCrd();
    namespace = await cluster.namespace('image-backups');
    const secrets = resourceClient(cluster.api, RESOURCES.secrets);
    await secrets.create(
      {
        metadata: { name: 'push', namespace },
        type: 'kubernetes.io/dockerconfigjson',
        // For the private registry as a backup registry, a login it refuses (the push is refused).
        data: dockerConfig(backup.host, backup.username!, backup.password!, {
          [priv.host]: [TENANT_USER, 'wrong-password'],
        }),
      },
      { namespace },
    );
    await secrets.create(
      {
        metadata: { name: 'wrong-login', namespace },
        type: 'kubernetes.io/dockerconfigjson',
        data: dockerConfig(priv.host, TENANT_USER, 'wrong-password'),
      },
      { namespace },
    );
    await secrets.create(
      {
        metadata: { name: 'private-source', namespace },
        type: 'kubernetes.io/dockerconfigjson',
        data: dockerConfig(priv.host, priv.readerUsername!, priv.readerPassword!),
      },
      { namespace },
    );
    // --source-credentials: only for the private registry's `fallback/` repositories.
    await secrets.create(
      {
        metadata: { name: 'fallback', namespace },
        type: 'kubernetes.io/dockerconfigjson',
        data: dockerConfig(`${priv.host}/fallback`, priv.readerUsername!, priv.readerPassword!),
      },
      { namespace },
    );
    pullRef = { namespace, name: 'private-source' };
    harness = startHarness();
  });

  after(async () => {
    await harness?.stop();
    for (const b of await backups()
      .listAll()
      .catch(() => [])) {
      if (b.metadata.name.startsWith('127.0.0.1')) await backups().delete(b.metadata.name);
    }
    // The control plane is shared and crd.test.ts creates the CRD itself: leave none behind.
    await crds().delete(crd.metadata.name);
    await waitFor(async () => (await crds().find(crd.metadata.name)) === undefined, {
      what: 'ImageBackup CRD deleted',
      timeoutMs: 60_000,
    });
    for (const p of proxies) await p.stop();
    await Promise.allSettled([pub?.stop(), priv?.stop(), backup?.stop()]);
    await cluster?.close();
  });

  /** Creates the CRD, or takes the one there is (waiting out another suite's deletion first). */
  async function installCrd(): Promise<void> {
    await waitFor(
      async () => {
        const existing = await crds().find(crd.metadata.name);
        if (existing?.metadata.deletionTimestamp !== undefined) return false;
        if (existing === undefined) {
          await crds()
            .create(crd)
            .catch((error: unknown) => {
              if (!isAlreadyExists(error)) throw error;
            });
        }
        return (
          (await crds().get(crd.metadata.name)).status?.conditions?.some(
            (c) => c.type === 'Established' && c.status === 'True',
          ) === true
        );
      },
      { what: 'ImageBackup CRD Established', timeoutMs: 60_000 },
    );
  }

  /**
   * Creates the ImageBackup the workload controller would create for `image`, after a Deployment in
   * `namespace` that runs it with `pullSecrets` (its source credentials) when they are given; both
   * are deleted after the test.
   */
  async function backupOf(
    t: TestContext,
    image: string,
    o: { pullSecrets?: string[]; platforms?: string[] } = {},
  ): Promise<ImageBackup> {
    if (o.pullSecrets !== undefined) await deploymentOf(t, image, o.pullSecrets);
    const desired = desiredImageBackup(parseNormalizedNamed(image), {
      mapping,
      ...(o.platforms ? { platforms: o.platforms } : {}),
    });
    const created = await backups().create(desired);
    t.after(() => backups().delete(desired.metadata.name));
    return created;
  }

  /** A Deployment in `namespace` running `image` with these pull Secrets; deleted after the test. */
  async function deploymentOf(t: TestContext, image: string, pullSecrets: string[]): Promise<void> {
    const name = unique('user');
    const labels = { app: name };
    await deployments().create(
      {
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name: 'app', image }],
              imagePullSecrets: pullSecrets.map((secret) => ({ name: secret })),
            },
          },
        },
      },
      { namespace },
    );
    t.after(() => deployments().delete(name, { namespace }));
  }

  async function waitPhase(name: string, phase: string, timeoutMs = 60_000): Promise<ImageBackup> {
    let current: ImageBackup | undefined;
    await waitFor(
      async () => {
        current = await backups().get(name);
        return current.status?.phase === phase;
      },
      { what: `ImageBackup ${name} ${phase} (last: ${JSON.stringify(current?.status)})`, timeoutMs },
    );
    return current!;
  }

  const crane = async (args: string[]): Promise<string> =>
    (await runTool('crane', args, { registries: [pub, priv, backup] })).stdout.trim();

  /** The digest crane finds at `ref`, or undefined when the registry holds nothing there. */
  const craneDigest = (ref: string): Promise<string | undefined> =>
    crane(['digest', ref]).then(
      (d) => d,
      (error: unknown) => {
        if (error instanceof Error && ABSENT.test(error.message)) return undefined;
        throw error;
      },
    );

  const repositoryOf = (target: string): string => target.replace(/[:@][^/]*$/, '');

  const eventsOf = (name: string): TimedEvent[] => events.filter((e) => e.regarding.name === name);

  async function proxyInFront(registry: LocalRegistry): Promise<FaultProxy> {
    const proxy = await startFaultProxy({ upstream: registry.url });
    proxies.push(proxy);
    return proxy;
  }

  it('backs up a single image: Ready, the source digest in the backup registry, not private, Events', async (t) => {
    const image = await pushImage(pub, `${unique('single')}/app:v1`, SMALL);
    const created = await backupOf(t, image.ref);
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.sourceDigest, image.digest);
    assert.equal(ready.status?.targetDigest, image.digest);
    assert.equal(await craneDigest(created.spec.target), image.digest);
    assert.equal(ready.status?.mediaType, image.mediaType);
    assert.equal(ready.status?.private, false);
    assert.equal(ready.status?.observedGeneration, ready.metadata.generation);
    assert.equal(ready.status?.attempts, 1);
    assert.equal(ready.status?.blobsTotal, image.blobs.length);
    assert.equal(ready.status?.lastError, undefined);
    assert.deepEqual(
      ready.status?.conditions?.map((c) => [c.type, c.status]),
      [['Ready', 'True']],
    );
    // A quick copy records only its end: BackupStarted is for one that outlasts the progress interval.
    assert.deepEqual(
      eventsOf(created.metadata.name).map((e) => e.reason),
      ['BackupReady'],
    );
    assert.equal(
      await harness.access.backupManifestPresent(repositoryOf(created.spec.target), image.digest),
      true,
    );
    assert.equal(
      await harness.access.backupManifestPresent(
        repositoryOf(created.spec.target),
        `sha256:${'0'.repeat(64)}`,
      ),
      false,
    );
    const metrics = await harness.metrics.metrics();
    const value = (pattern: RegExp): number => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
    assert.ok(value(/^lifeboat_image_backups\{phase="Ready"\} (\d+)$/m) >= 1, metrics);
    assert.ok(value(/^lifeboat_copy_blobs_total\{result="copied"\} (\d+)$/m) >= image.blobs.length, metrics);
    assert.ok(value(/^lifeboat_copy_bytes_total (\d+)$/m) > 0, metrics);
    assert.ok(value(/^lifeboat_copy_duration_seconds_count\{result="copied"\} (\d+)$/m) >= 1, metrics);
    assert.ok(
      metrics.includes(`lifeboat_image_backup_ready{backup="${created.metadata.name}"} 1\n`),
      metrics,
    );
    assert.ok(
      metrics.includes(`lifeboat_registry_requests_total{host="${backup.host}",method="PUT",code="201"}`),
    );
  });

  it('writes the status of a small copy twice (Copying, Ready), one Event, and nothing when another workload uses it', async (t) => {
    const informers = createSharedInformers({ api: cluster.api });
    const watched = informers.informerFor<ImageBackup & { metadata: { name: string } }>(IMAGE_BACKUPS);
    const phases = new Map<string, (string | undefined)[]>();
    watched.addHandlers({
      onUpdate: (_old, b) =>
        phases.set(b.metadata.name, [...(phases.get(b.metadata.name) ?? []), b.status?.phase]),
    });
    informers.start();
    t.after(() => informers.stop());
    await watched.synced;
    const image = await pushImage(pub, `${unique('writes')}/app:v1`, SMALL);
    const created = await backupOf(t, image.ref, { pullSecrets: [] });
    const name = created.metadata.name;
    await waitPhase(name, 'Ready');
    // One more workload, in its namespace with a Secret of its own: the backup is Ready, nothing to do.
    await deploymentOf(t, image.ref, [pullRef.name]);
    await sleep(3_000);
    assert.deepEqual(phases.get(name), ['Copying', 'Ready'], 'status writes seen by a watch');
    assert.deepEqual(
      eventsOf(name).map((e) => e.reason),
      ['BackupReady'],
    );
  });

  it('falls back to --source-credentials for a source its own Secrets cannot read', async (t) => {
    const image = await pushImage(priv, `fallback/${unique('fallback')}/app:v1`, SMALL);
    const created = await backupOf(t, image.ref);
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.private, true);
    assert.equal(await craneDigest(created.spec.target), image.digest);
    // The probe asks what a namespace's own Secrets can read: --source-credentials are not theirs.
    assert.equal(await harness.access.sourceReadable(created.spec.source, []), false);
  });

  it('backs up a multi-platform index whole: the index digest and every platform', async (t) => {
    const index = await pushIndex(pub, `${unique('index')}/app:v1`, {
      ...SMALL,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    const created = await backupOf(t, index.ref);
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.targetDigest, index.digest);
    assert.equal(await craneDigest(created.spec.target), index.digest);
    assert.deepEqual([...(ready.status?.platforms ?? [])].sort(), ['linux/amd64', 'linux/arm64']);
    for (const child of index.children) {
      assert.equal(await craneDigest(`${repositoryOf(created.spec.target)}@${child.digest}`), child.digest);
    }
    // Anchored, the index and each child: a GC of untagged manifests keeps every platform.
    for (const digest of [index.digest, ...index.children.map((c) => c.digest)]) {
      assert.equal(await craneDigest(`${repositoryOf(created.spec.target)}:${anchorTag(digest)}`), digest);
    }
  });

  it('backs up a digest-only source under its digest', async (t) => {
    const image = await pushImage(pub, `${unique('digest')}/app:v1`, SMALL);
    const source = `${image.ref.replace(/:v1$/, '')}@${image.digest}`;
    const created = await backupOf(t, source);
    assert.match(created.spec.target, /@sha256:/);
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.targetDigest, image.digest);
    assert.equal(await craneDigest(created.spec.target), image.digest);
    // Not untagged: its anchor tag keeps it through a registry GC that deletes untagged manifests.
    const anchored = `${repositoryOf(created.spec.target)}:${anchorTag(image.digest)}`;
    assert.equal(await craneDigest(anchored), image.digest);
  });

  it('copies only the platforms the spec names: a new index, its digest recorded', async (t) => {
    const index = await pushIndex(pub, `${unique('filter')}/app:v1`, {
      ...SMALL,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    const created = await backupOf(t, index.ref, { platforms: ['linux/arm64'] });
    const ready = await waitPhase(created.metadata.name, 'Ready');
    const target = await craneDigest(created.spec.target);
    assert.equal(ready.status?.sourceDigest, index.digest);
    assert.equal(ready.status?.targetDigest, target);
    assert.notEqual(target, index.digest);
    const manifest = JSON.parse(await crane(['manifest', created.spec.target])) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    const arm = index.children.find((c) => c.platform === 'linux/arm64')!;
    assert.deepEqual(
      manifest.manifests.map((m) => [m.digest, m.platform.architecture]),
      [[arm.digest, 'arm64']],
    );
    assert.deepEqual(ready.status?.platforms, ['linux/arm64']);
  });

  it('reads a private source with the pull Secret of a workload that runs it: Ready and private', async (t) => {
    const image = await pushImage(priv, `${unique('private')}/app:v1`, SMALL);
    const created = await backupOf(t, image.ref, { pullSecrets: [pullRef.name] });
    assert.ok(!JSON.stringify(created.spec).includes(pullRef.name), 'nothing in the spec names it');
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.private, true);
    assert.equal(await craneDigest(created.spec.target), image.digest);
    // The probe the workload controller asks: this namespace's Secret reads it, no Secret does not.
    assert.equal(await harness.access.sourceReadable(created.spec.source, [pullRef]), true);
    assert.equal(await harness.access.sourceReadable(created.spec.source, []), false);
    assert.equal(
      await harness.access.sourceReadable(created.spec.source, [{ namespace, name: 'missing' }]),
      false,
    );
  });

  it('fails a private source without credentials naming registry and scope, never a password', async (t) => {
    const repository = `${unique('denied')}/app`;
    const image = await pushImage(priv, `${repository}:v1`, SMALL);
    const created = await backupOf(t, image.ref, { pullSecrets: ['missing', 'wrong-login'] });
    const failed = await waitPhase(created.metadata.name, 'Failed');
    const lastError = failed.status?.lastError ?? '';
    assert.ok(lastError.includes(priv.host), lastError);
    assert.ok(lastError.includes(`repository:${repository}:pull`), lastError);
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'REGISTRY_UNAUTHORIZED');
    assert.ok(eventsOf(created.metadata.name).some((e) => e.reason === 'BackupFailed'));
    assert.equal(await craneDigest(created.spec.target), undefined, 'nothing pushed');
    // No secret anywhere: statuses, Events, log lines (the Secrets used in this suite included).
    const secrets = [priv.password!, priv.readerPassword!, backup.password!, backup.readerPassword!];
    const encoded = secrets.flatMap((s) => [Buffer.from(s).toString('base64')]);
    const written = [
      JSON.stringify(await backups().listAll()),
      JSON.stringify(recorder.events),
      JSON.stringify(log.lines()),
    ].join('\n');
    for (const secret of [...secrets, ...encoded]) assert.ok(!written.includes(secret), 'a secret leaked');
    // Nor the user name of the login that was refused, where tenants can read: statuses and Events.
    const visible = [JSON.stringify(await backups().listAll()), JSON.stringify(recorder.events)].join('\n');
    assert.ok(!visible.includes(TENANT_USER), 'a registry user name reached a status or an Event');
    assert.ok(log.lines().some((l) => String(l.msg).includes(`Secret ${namespace}/missing not found`)));
  });

  it('fails when the backup registry refuses the push login, naming no user in status or Events', async (t) => {
    const image = await pushImage(pub, `${unique('push-refused')}/app:v1`, SMALL);
    // The private registry as the backup registry: the push Secret's login for it is refused.
    const desired = desiredImageBackup(parseNormalizedNamed(image.ref), {
      mapping: backupMapping({ backupRegistry: priv.host, prefix: 'lifeboat' }),
    });
    await backups().create(desired);
    t.after(() => backups().delete(desired.metadata.name));
    const failed = await waitPhase(desired.metadata.name, 'Failed');
    const lastError = failed.status?.lastError ?? '';
    assert.match(lastError, /refused access/);
    assert.ok(lastError.includes(priv.host), lastError);
    const notes = eventsOf(desired.metadata.name).map((e) => e.note ?? '');
    assert.ok(
      notes.some((n) => n.includes('refused access')),
      JSON.stringify(notes),
    );
    for (const text of [lastError, ...notes, JSON.stringify(failed.status)]) {
      assert.ok(!text.includes(TENANT_USER), `a registry user name reached the cluster: ${text}`);
    }
  });

  it("never reads a source with lifeboat's own pull-secret copy, even one that could", async (t) => {
    const image = await pushImage(priv, `${unique('managed')}/app:v1`, SMALL);
    // Labelled as the pull-secret controller labels its copies, holding a login that reads the source.
    const name = unique('lifeboat-pull');
    await resourceClient(cluster.api, RESOURCES.secrets).create(
      {
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'lifeboat' } },
        type: 'kubernetes.io/dockerconfigjson',
        data: dockerConfig(priv.host, priv.readerUsername!, priv.readerPassword!),
      },
      { namespace },
    );
    t.after(() => resourceClient(cluster.api, RESOURCES.secrets).delete(name, { namespace }));
    const created = await backupOf(t, image.ref, { pullSecrets: [name] });
    const failed = await waitPhase(created.metadata.name, 'Failed');
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'REGISTRY_UNAUTHORIZED');
    assert.equal(await craneDigest(created.spec.target), undefined, 'nothing pushed');
    assert.equal(await harness.access.sourceReadable(created.spec.source, [{ namespace, name }]), false);
    // The workload's own Secret next to it is used: the copy is not refused as a whole.
    assert.equal(
      await harness.access.sourceReadable(created.spec.source, [{ namespace, name }, pullRef]),
      true,
    );
  });

  it('costs no copy when the backup registry already holds the image', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('present')}/app`;
    const image = await pushImage(pub, `${repository}:v1`, SMALL);
    const source = `${proxy.host}/${repository}:v1`;
    const target = desiredImageBackup(parseNormalizedNamed(source), { mapping }).spec.target;
    await crane(['copy', image.ref, target]);
    const created = await backupOf(t, source);
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.sourceDigest, image.digest);
    assert.equal(ready.status?.targetDigest, image.digest);
    assert.deepEqual(
      proxy.requests.map((r) => r.method),
      ['HEAD'],
      'one HEAD of the source manifest, nothing read',
    );
  });

  it('fails while the backup registry is down, then becomes Ready by itself once it is back', async (t) => {
    const down = await startRegistry({ auth: 'none' });
    t.after(() => down.stop());
    const proxy = await proxyInFront(down);
    proxy.addRule({ action: { kind: 'reset' } });
    const image = await pushImage(pub, `${unique('down')}/app:v1`, SMALL);
    const desired = desiredImageBackup(parseNormalizedNamed(image.ref), {
      mapping: backupMapping({ backupRegistry: proxy.host }),
    });
    await backups().create(desired);
    t.after(() => backups().delete(desired.metadata.name));
    const failed = await waitPhase(desired.metadata.name, 'Failed');
    assert.ok(failed.status?.lastError?.includes(proxy.host), failed.status?.lastError);
    proxy.clearRules();
    const ready = await waitPhase(desired.metadata.name, 'Ready');
    assert.ok((ready.status?.attempts ?? 0) >= 2);
    const behind = desired.spec.target.replace(proxy.host, down.host);
    assert.equal(
      (await runTool('crane', ['digest', behind], { registries: [down] })).stdout.trim(),
      image.digest,
    );
  });

  it('retries a failing copy with growing delays, never in a hot loop', async (t) => {
    const created = await backupOf(t, `${pub.host}/${unique('missing')}/app:v1`);
    const times = (reason: string): number[] =>
      eventsOf(created.metadata.name)
        .filter((e) => e.reason === reason)
        .map((e) => e.at);
    await waitFor(() => times('BackupFailed').length >= 4, { what: '4 failed attempts', timeoutMs: 60_000 });
    const starts = times('BackupStarted');
    // Every attempt failed before the next began; lastError stays while the next one runs.
    for (const [i, failedAt] of times('BackupFailed').slice(0, 3).entries()) {
      assert.ok(starts[i]! <= failedAt && failedAt <= starts[i + 1]!);
    }
    const failed = await backups().get(created.metadata.name);
    assert.ok(failed.status?.lastError?.includes('does not exist'), failed.status?.lastError);
    // Lower bounds only: a loaded machine can make the gaps longer, never shorter.
    for (let k = 0; k < 3; k++) {
      const least = Math.min(BACKOFF.initialMs * 2 ** k, BACKOFF.maxMs);
      const gap = starts[k + 1]! - starts[k]!;
      assert.ok(
        gap >= least - 20,
        `attempt ${k + 2} came ${gap} ms after the previous one (at least ${least})`,
      );
    }
  });

  it('fails a schema 1 source naming its media type', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('schema1')}/app`;
    await pushImage(pub, `${repository}:v1`, SMALL);
    const type = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
    proxy.addRule({
      method: 'GET',
      path: `/v2/${repository}/manifests/`,
      action: {
        kind: 'replace-body',
        body: Buffer.from(JSON.stringify({ schemaVersion: 1, name: repository, tag: 'v1', fsLayers: [] })),
        headers: { 'content-type': type },
      },
    });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    const failed = await waitPhase(created.metadata.name, 'Failed');
    assert.ok(failed.status?.lastError?.includes(type), failed.status?.lastError);
    assert.equal(await craneDigest(created.spec.target), undefined);
  });

  it('fails a source of an unsupported media type naming that type', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('oddtype')}/app`;
    await pushImage(pub, `${repository}:v1`, SMALL);
    const type = 'application/vnd.example.not-an-image+json';
    proxy.addRule({
      method: 'GET',
      path: `/v2/${repository}/manifests/`,
      action: {
        kind: 'replace-body',
        body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: type })),
        headers: { 'content-type': type },
      },
    });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    const failed = await waitPhase(created.metadata.name, 'Failed');
    assert.ok(failed.status?.lastError?.includes(type), failed.status?.lastError);
    assert.equal(await craneDigest(created.spec.target), undefined);
  });

  it('fails a source whose error body is 64 KiB: Failed, with texts the API server accepts', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('huge-error')}/app`;
    await pushImage(pub, `${repository}:v1`, SMALL);
    // What the transport reads at most of an error body, all of it in one distribution error message.
    const detail = 'x'.repeat(64 * 1024 - 100);
    proxy.addRule({
      method: 'GET',
      path: `/v2/${repository}/manifests/`,
      action: {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ errors: [{ code: 'UNKNOWN', message: detail }] }),
      },
    });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    // The real API server took the write: the CRD's limits held (condition messages ≤ 32768).
    const failed = await waitPhase(created.metadata.name, 'Failed');
    const lastError = failed.status?.lastError ?? '';
    assert.ok(lastError.includes(proxy.host), lastError.slice(0, 300));
    assert.ok(lastError.includes('xxxx'), 'the registry message is shown, in part');
    assert.ok(lastError.length < detail.length, `lastError has ${lastError.length} characters`);
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.ok((ready?.message.length ?? 0) <= 32_768, `message has ${ready?.message.length} characters`);
    assert.ok(ready?.message.includes(proxy.host));
    assert.ok(eventsOf(created.metadata.name).some((e) => e.reason === 'BackupFailed'));
  });

  it('fails on a layer of the wrong size, names its digest, pushes nothing under it', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('short')}/app`;
    const image = await pushImage(pub, `${repository}:v1`, SMALL);
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    // A complete response (its own Content-Length) whose body is shorter than the descriptor says.
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${layer.digest}`,
      action: {
        kind: 'replace-body',
        body: Buffer.alloc(Math.floor(layer.size / 2), 7),
        headers: { 'content-type': 'application/octet-stream' },
      },
    });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    const failed = await waitPhase(created.metadata.name, 'Failed');
    const lastError = failed.status?.lastError ?? '';
    assert.ok(lastError.includes(layer.digest), lastError);
    const repo = repositoryOf(created.spec.target);
    await assert.rejects(crane(['blob', `${repo}@${layer.digest}`]), ABSENT);
    assert.equal(await craneDigest(created.spec.target), undefined);
  });

  it('fails on a layer with the wrong digest, names both digests, pushes nothing under it', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('corrupt')}/app`;
    const image = await pushImage(pub, `${repository}:v1`, SMALL);
    const layer = image.blobs.reduce((a, b) => (b.size > a.size ? b : a));
    proxy.addRule({
      method: 'GET',
      path: `/blobs/${layer.digest}`,
      action: { kind: 'corrupt-body', at: 100 },
    });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    const failed = await waitPhase(created.metadata.name, 'Failed');
    const lastError = failed.status?.lastError ?? '';
    const digests = [...lastError.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]);
    assert.ok(digests.includes(layer.digest), lastError);
    assert.ok(
      digests.some((d) => d !== layer.digest && !image.blobs.some((b) => b.digest === d)),
      lastError,
    );
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'BLOB_DIGEST_MISMATCH');
    const repo = repositoryOf(created.spec.target);
    await assert.rejects(crane(['blob', `${repo}@${layer.digest}`]), ABSENT);
    assert.equal(await craneDigest(created.spec.target), undefined);
  });

  /** Restarts the controller with this progress interval for the rest of the test, then as before. */
  async function withProgressInterval(t: TestContext, progressIntervalMs: number): Promise<void> {
    await waitFor(() => harness.synced(), { what: 'the controller synced', timeoutMs: 60_000 });
    await harness.stop();
    harness = startHarness({ progressIntervalMs });
    t.after(async () => {
      await harness.stop();
      harness = startHarness();
      await waitFor(() => harness.synced(), { what: 'the controller synced again', timeoutMs: 60_000 });
    });
  }

  it(`runs at most ${MAX_COPIES} copies at once`, async (t) => {
    // BackupStarted once a copy has run 100 ms (the default waits 10 s): every copy here lasts longer.
    await withProgressInterval(t, 100);
    // Every blob read takes a while, so copies started together certainly overlap.
    const proxy = await proxyInFront(pub);
    proxy.addRule({ method: 'GET', path: '/blobs/', action: { kind: 'delay', ms: 300 } });
    const images: { ref: string; digest: string; repository: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const repository = `${unique(`many${i}`)}/app`;
      const image = await pushImage(pub, `${repository}:v1`, SMALL);
      images.push({ ref: `${proxy.host}/${repository}:v1`, digest: image.digest, repository });
    }
    const created = await Promise.all(images.map((image) => backupOf(t, image.ref)));
    const names = created.map((c) => c.metadata.name);
    for (const [i, c] of created.entries()) {
      const ready = await waitPhase(c.metadata.name, 'Ready');
      assert.equal(ready.status?.targetDigest, images[i]!.digest);
      assert.equal(await craneDigest(c.spec.target), images[i]!.digest);
    }
    // Copies in flight, from the BackupStarted / BackupReady Events in the order they were recorded.
    let running = 0;
    let most = 0;
    for (const e of events.filter((e) => names.includes(e.regarding.name))) {
      running += e.reason === 'BackupStarted' ? 1 : -1;
      most = Math.max(most, running);
    }
    assert.equal(most, MAX_COPIES, `${most} copies ran at once`);
  });

  it('writes progress during a copy at most once per 2 s', async (t) => {
    // SPEC's floor, not the 10 s default: a copy of over 5 s then shows its progress.
    await withProgressInterval(t, 2_000);
    const proxy = await proxyInFront(pub);
    const repository = `${unique('progress')}/app`;
    const image = await pushImage(pub, `${repository}:v1`, { layers: 3, layerSize: 40_000 });
    const [slow, slower] = image.blobs.slice(1);
    // Two layers arrive late, so the copy lasts over 5 s with blobs finishing along the way.
    proxy.addRule({ method: 'GET', path: `/blobs/${slow!.digest}`, action: { kind: 'delay', ms: 2_500 } });
    proxy.addRule({ method: 'GET', path: `/blobs/${slower!.digest}`, action: { kind: 'delay', ms: 5_000 } });
    const informers = createSharedInformers({ api: cluster.api });
    const writes: { at: number; phase: string | undefined; progress: string | undefined }[] = [];
    const watched = informers.informerFor<ImageBackup & { metadata: { name: string } }>(IMAGE_BACKUPS);
    const name = desiredImageBackup(parseNormalizedNamed(`${proxy.host}/${repository}:v1`), {
      mapping,
    }).metadata.name;
    watched.addHandlers({
      onUpdate: (_old, b) => {
        if (b.metadata.name === name)
          writes.push({ at: Date.now(), phase: b.status?.phase, progress: b.status?.progress });
      },
    });
    informers.start();
    t.after(() => informers.stop());
    await watched.synced;
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    await waitPhase(created.metadata.name, 'Ready');
    const copying = writes.filter((w) => w.phase === 'Copying');
    const progress = copying.filter((w) => /^\d+\/\d+ blobs, \d+%$/.test(w.progress ?? ''));
    assert.ok(progress.length >= 1, `progress was written: ${JSON.stringify(writes)}`);
    for (let i = 1; i < copying.length; i++) {
      const gap = copying[i]!.at - copying[i - 1]!.at;
      // Watch delivery may bunch events a little; two writes 2 s apart never arrive 1.5 s apart.
      assert.ok(gap >= 1_500, `status written ${gap} ms after the previous one: ${JSON.stringify(writes)}`);
    }
  });

  it('aborts a copy on shutdown, leaves it Copying, and the next leader finishes it', async (t) => {
    const proxy = await proxyInFront(pub);
    const repository = `${unique('shutdown')}/app`;
    const image = await pushImage(pub, `${repository}:v1`, SMALL);
    const hung = proxy.addRule({ method: 'GET', path: '/blobs/', action: { kind: 'hang' } });
    const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
    await waitFor(() => hung.hits() > 0, { what: 'a blob read in flight', timeoutMs: 60_000 });
    await harness.stop();
    const left = await backups().get(created.metadata.name);
    assert.equal(left.status?.phase, 'Copying');
    assert.ok(!eventsOf(created.metadata.name).some((e) => e.reason === 'BackupFailed'));
    proxy.clearRules();
    harness = startHarness();
    const ready = await waitPhase(created.metadata.name, 'Ready');
    assert.equal(ready.status?.targetDigest, image.digest);
    assert.equal(await craneDigest(created.spec.target), image.digest);
  });

  // Issue 15: sources that vanish or move, and a backup registry that loses a manifest. Each test
  // runs with source checks every few seconds (CHECK_MS), so whatever a check records shows soon.
  describe('when a source vanishes or moves', () => {
    const CHECK_MS = 2_000;

    /** Restarts the controller with these source options for the rest of the test, then as before. */
    async function withSources(
      t: TestContext,
      sources: Pick<ImageBackupControllerOptions, 'sourceCheckIntervalMs' | 'onSourceChange'>,
    ): Promise<void> {
      // Stopped before its caches listed, a harness leaves their requests to a closed client.
      await waitFor(() => harness.synced(), { what: 'the controller synced', timeoutMs: 60_000 });
      await harness.stop();
      harness = startHarness({ sourceCheckIntervalMs: CHECK_MS, ...sources });
      t.after(async () => {
        await harness.stop();
        harness = startHarness();
        await waitFor(() => harness.synced(), { what: 'the controller synced again', timeoutMs: 60_000 });
      });
    }

    const sourceCondition = (b: ImageBackup) =>
      b.status?.conditions?.find((c) => c.type === 'SourceAvailable');

    async function waitStatus(
      name: string,
      what: string,
      ok: (b: ImageBackup) => boolean,
      timeoutMs = 60_000,
    ): Promise<ImageBackup> {
      let current: ImageBackup | undefined;
      await waitFor(
        async () => {
          current = await backups().get(name);
          return ok(current);
        },
        { what: `ImageBackup ${name}: ${what} (last: ${JSON.stringify(current?.status)})`, timeoutMs },
      );
      return current!;
    }

    /** What the workload controller writes when a backup manifest it would point at is missing. */
    const setPending = (name: string): Promise<ImageBackup> =>
      backups().patchStatus(name, { status: { phase: 'Pending' } });

    /** Deletes `repository@digest` from its registry, as a person or a registry GC would. */
    const craneDelete = (ref: string): Promise<string> => crane(['delete', ref]);

    it('a Ready backup whose source tag is deleted stays Ready through a spec change and a recheck', async (t) => {
      await withSources(t, { sourceCheckIntervalMs: 0 });
      const repository = `${unique('vanish')}/app`;
      const image = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, image.ref);
      const name = created.metadata.name;
      await waitPhase(name, 'Ready');
      await craneDelete(`${pub.host}/${repository}@${image.digest}`);
      assert.equal(await craneDigest(image.ref), undefined, 'the source is gone');
      // A spec change (a platform list a single image ignores): a recheck, which must not go to the source.
      const changed = await backups().mergePatch(name, { spec: { platforms: ['linux/amd64'] } });
      const rechecked = await waitStatus(
        name,
        'rechecked for the new generation',
        (b) => b.status?.observedGeneration === changed.metadata.generation && b.status?.phase !== 'Copying',
      );
      assert.equal(rechecked.status?.phase, 'Ready', JSON.stringify(rechecked.status));
      assert.equal(rechecked.status?.targetDigest, image.digest);
      // The workload controller found a manifest missing (a false alarm here): rechecked, still Ready.
      await setPending(name);
      const again = await waitPhase(name, 'Ready');
      assert.equal(again.status?.targetDigest, image.digest);
      assert.equal(await craneDigest(created.spec.target), image.digest, "the backup's tag did not move");
      assert.deepEqual(
        eventsOf(name).filter((e) => e.reason === 'BackupFailed'),
        [],
        'never Failed because of its source',
      );
    });

    it('reports a gone source (SourceGone, SourceAvailable=False NotFound) and leaves the backup Ready', async (t) => {
      await withSources(t, {});
      const repository = `${unique('gone')}/app`;
      const image = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, image.ref);
      const name = created.metadata.name;
      await waitStatus(name, 'source checked', (b) => sourceCondition(b)?.status === 'True');
      await craneDelete(`${pub.host}/${repository}@${image.digest}`);
      const gone = await waitStatus(name, 'source gone', (b) => sourceCondition(b)?.status === 'False');
      assert.equal(sourceCondition(gone)?.reason, 'NotFound');
      assert.equal(gone.status?.phase, 'Ready');
      assert.equal(gone.status?.targetDigest, image.digest);
      await waitFor(() => eventsOf(name).some((e) => e.reason === 'SourceGone'), {
        what: 'SourceGone',
        timeoutMs: 60_000,
      });
      // More checks find it gone again: no second Event.
      const checkedAt = gone.status?.sourceCheckedAt;
      await waitStatus(name, 'checked again', (b) => b.status?.sourceCheckedAt !== checkedAt);
      assert.equal(eventsOf(name).filter((e) => e.reason === 'SourceGone').length, 1);
      const metrics = await harness.metrics.metrics();
      assert.match(metrics, /^lifeboat_image_backups_source\{state="gone"\} [1-9]\d*$/m);
      // Back: SourceBack, the condition True again.
      await crane(['copy', `${backup.host}/${created.spec.target.slice(backup.host.length + 1)}`, image.ref]);
      await waitStatus(name, 'source back', (b) => sourceCondition(b)?.status === 'True');
      await waitFor(() => eventsOf(name).some((e) => e.reason === 'SourceBack'), {
        what: 'SourceBack',
        timeoutMs: 60_000,
      });
    });

    it('a moved tag with keep: the backup keeps its digest, SourceChanged names both', async (t) => {
      await withSources(t, { onSourceChange: 'keep' });
      const repository = `${unique('keep')}/app`;
      const old = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, old.ref);
      const name = created.metadata.name;
      await waitPhase(name, 'Ready');
      const moved = await pushImage(pub, `${repository}:v1`, SMALL);
      assert.notEqual(moved.digest, old.digest);
      const seen = await waitStatus(
        name,
        'the new digest seen',
        (b) => b.status?.sourceLatestDigest === moved.digest,
      );
      assert.equal(seen.status?.targetDigest, old.digest);
      assert.equal(seen.status?.sourceDigest, old.digest);
      assert.equal(seen.status?.phase, 'Ready');
      assert.equal(
        await craneDigest(created.spec.target),
        old.digest,
        "the backup's tag still holds the old digest",
      );
      await waitFor(() => eventsOf(name).some((e) => e.reason === 'SourceChanged'), {
        what: 'SourceChanged',
        timeoutMs: 60_000,
      });
      const note = eventsOf(name).find((e) => e.reason === 'SourceChanged')?.note ?? '';
      assert.ok(note.includes(old.digest) && note.includes(moved.digest), note);
      // A spec change now: a recheck, which must not copy the moved tag over the backup.
      const changed = await backups().mergePatch(name, { spec: { platforms: ['linux/amd64'] } });
      await waitStatus(
        name,
        'rechecked',
        (b) => b.status?.observedGeneration === changed.metadata.generation,
      );
      assert.equal(await craneDigest(created.spec.target), old.digest);
      const metrics = await harness.metrics.metrics();
      assert.match(metrics, /^lifeboat_image_backups_source\{state="changed"\} [1-9]\d*$/m);
    });

    it('a moved tag with follow: the new digest is copied and tagged, the old one stays anchored', async (t) => {
      await withSources(t, { onSourceChange: 'follow' });
      const repository = `${unique('follow')}/app`;
      const old = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, old.ref);
      const name = created.metadata.name;
      await waitPhase(name, 'Ready');
      const moved = await pushImage(pub, `${repository}:v1`, SMALL);
      const followed = await waitStatus(name, 'followed', (b) => b.status?.targetDigest === moved.digest);
      assert.equal(followed.status?.phase, 'Ready');
      assert.equal(followed.status?.sourceDigest, moved.digest);
      assert.equal(await craneDigest(created.spec.target), moved.digest, "the backup's tag moved");
      const target = repositoryOf(created.spec.target);
      assert.equal(
        await craneDigest(`${target}@${old.digest}`),
        old.digest,
        'what running workloads pin stays',
      );
      assert.equal(
        await craneDigest(`${target}:${anchorTag(old.digest)}`),
        old.digest,
        'the old digest stays anchored',
      );
      assert.equal(
        await craneDigest(`${target}:${anchorTag(moved.digest)}`),
        moved.digest,
        'the new one is anchored',
      );
      await waitFor(() => eventsOf(name).some((e) => e.reason === 'SourceChanged'), {
        what: 'SourceChanged',
        timeoutMs: 60_000,
      });
    });

    it('a damaged backup whose source is gone turns Degraded with BackupDamaged, and Ready once repaired', async (t) => {
      await withSources(t, { sourceCheckIntervalMs: 0 });
      const repository = `${unique('damaged')}/app`;
      const image = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, image.ref);
      const name = created.metadata.name;
      await waitPhase(name, 'Ready');
      const target = repositoryOf(created.spec.target);
      // Keep a copy to repair with, then lose both the source and the backup's manifest.
      const spare = `${pub.host}/${unique('spare')}/app:v1`;
      await crane(['copy', image.ref, spare]);
      await craneDelete(`${pub.host}/${repository}@${image.digest}`);
      await craneDelete(`${target}@${image.digest}`);
      assert.equal(await craneDigest(`${target}@${image.digest}`), undefined);
      await setPending(name);
      const degraded = await waitPhase(name, 'Degraded');
      assert.equal(degraded.status?.targetDigest, image.digest, 'the digest workloads run is kept');
      assert.ok(degraded.status?.lastError?.includes(image.digest), degraded.status?.lastError);
      await waitFor(() => eventsOf(name).some((e) => e.reason === 'BackupDamaged'), {
        what: 'BackupDamaged',
        timeoutMs: 60_000,
      });
      const note = eventsOf(name).find((e) => e.reason === 'BackupDamaged')?.note ?? '';
      assert.ok(note.includes(`@${image.digest}`), note);
      assert.ok(!eventsOf(name).some((e) => e.reason === 'BackupFailed'));
      // Put the same digest back at the source: the next recheck (with backoff) copies it again.
      await crane(['copy', spare, image.ref]);
      const repaired = await waitPhase(name, 'Ready');
      assert.equal(repaired.status?.targetDigest, image.digest);
      assert.equal(await craneDigest(created.spec.target), image.digest);
      assert.equal(await craneDigest(`${target}:${anchorTag(image.digest)}`), image.digest);
    });

    it('a source check answered 429 waits and never counts the source as gone', async (t) => {
      await withSources(t, {});
      const proxy = await proxyInFront(pub);
      const repository = `${unique('throttled')}/app`;
      const image = await pushImage(pub, `${repository}:v1`, SMALL);
      const created = await backupOf(t, `${proxy.host}/${repository}:v1`);
      const name = created.metadata.name;
      await waitPhase(name, 'Ready');
      const throttled = proxy.addRule({
        method: 'HEAD',
        path: '/manifests/',
        action: {
          kind: 'status',
          status: 429,
          headers: { 'Retry-After': '1' },
          body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
        },
      });
      await waitFor(() => throttled.hits() >= 6, {
        what: 'several throttled source checks',
        timeoutMs: 60_000,
      });
      const during = await backups().get(name);
      assert.equal(sourceCondition(during), undefined, 'nothing written while the registry asks to wait');
      assert.equal(during.status?.phase, 'Ready');
      proxy.clearRules();
      const checked = await waitStatus(name, 'source checked', (b) => sourceCondition(b) !== undefined);
      assert.equal(sourceCondition(checked)?.status, 'True');
      assert.equal(checked.status?.sourceLatestDigest, image.digest);
      assert.ok(!eventsOf(name).some((e) => e.reason === 'SourceGone'));
    });
  });
});
