// The rewrite itself: every kind, every kind of reference, one image shared across namespaces, what
// must be left alone, and a private source that one namespace may read and another may not.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pushImage } from '../../../src/devenv/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { readerCredentials, EXCLUDED_NS, PULL_SECRET_COPY, type BackupEnv } from './backup-env.ts';
import { byDigestOnly, byTagAndDigest, sourceImage, sourceImages, sourceIndex } from './fixtures.ts';
import {
  assertBackedUp,
  backupsOf,
  rewrittenRef,
  sleep,
  sourceRef,
  type SourceImage,
  type Suite,
} from './suite.ts';
import {
  allImagesUnder,
  createWorkload,
  describeRef,
  eventsFor,
  getWorkload,
  imagesOf,
  occurrences,
  podTemplateOf,
  waitEvent,
  waitRolledOut,
  waitWorkload,
  type Kind,
  type WorkloadObject,
  type WorkloadRef,
} from './workloads.ts';

const ORIGINAL_IMAGES = 'lifeboat.dev/original-images';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** A workload as a scenario declares it: container name → source, init containers apart. */
export interface Planned {
  readonly kind: Kind;
  readonly name: string;
  readonly containers: Readonly<Record<string, SourceImage>>;
  readonly initContainers?: Readonly<Record<string, SourceImage>>;
  readonly imagePullSecrets?: readonly string[];
}

const toContainers = (m: Readonly<Record<string, SourceImage>> = {}) =>
  Object.entries(m).map(([name, s]) => ({ name, image: sourceRef(s) }));

export async function createPlanned(env: BackupEnv, namespace: string, p: Planned): Promise<WorkloadRef> {
  return createWorkload(env.api, namespace, {
    kind: p.kind,
    name: p.name,
    containers: toContainers(p.containers),
    ...(p.initContainers ? { initContainers: toContainers(p.initContainers) } : {}),
    ...(p.imagePullSecrets ? { imagePullSecrets: p.imagePullSecrets } : {}),
  });
}

const allSources = (p: Planned) => ({ ...p.initContainers, ...p.containers });

/** Waits until lifeboat rewrote the workload, and returns it. */
export function waitRewritten(env: BackupEnv, r: WorkloadRef, timeoutMs?: number): Promise<WorkloadObject> {
  return waitWorkload(
    env.api,
    r,
    'every image in the backup registry',
    (w) => allImagesUnder(w, `${env.backup.host}/`),
    timeoutMs,
  );
}

/**
 * Everything a rewrite promises, on one workload: each image `{mapped}:{tag}@{digest}`, the original
 * images and the change cause on the workload, the pull secret in the pod template, one
 * ImagesMovedToBackup Event naming the old images, and a completed rollout.
 */
export async function assertRewritten(env: BackupEnv, r: WorkloadRef, p: Planned): Promise<WorkloadObject> {
  const w = await waitRewritten(env, r);
  const sources = allSources(p);
  assert.deepEqual(
    imagesOf(w),
    Object.fromEntries(Object.entries(sources).map(([c, s]) => [c, rewrittenRef(env, s)])),
    `${describeRef(r)}: images`,
  );
  const annotations = w.metadata.annotations ?? {};
  assert.deepEqual(
    JSON.parse(annotations[ORIGINAL_IMAGES] ?? 'null'),
    Object.fromEntries(Object.entries(sources).map(([c, s]) => [c, sourceRef(s)])),
    `${describeRef(r)}: ${ORIGINAL_IMAGES}`,
  );
  assert.match(
    annotations[CHANGE_CAUSE] ?? '',
    new RegExp(`lifeboat.*${env.backup.host.replaceAll('.', '\\.')}`),
  );
  assert.ok(
    (podTemplateOf(w).spec.imagePullSecrets ?? []).some((s) => s.name === PULL_SECRET_COPY),
    `${describeRef(r)}: ${PULL_SECRET_COPY} in the pod template's imagePullSecrets`,
  );
  const event = await waitEvent(env.api, r, EventReasons.ImagesMovedToBackup);
  for (const [container, s] of Object.entries(sources)) {
    assert.ok(event.note?.includes(container), `the Event names ${container}: ${event.note}`);
    assert.ok(event.note?.includes(sourceRef(s)), `the Event names ${sourceRef(s)}: ${event.note}`);
  }
  await waitRolledOut(env.api, r);
  return w;
}

async function metricSum(suite: Suite, name: string, label: string): Promise<number> {
  const res = await fetch(`http://${await (await suite.lifeboat()).address()}/metrics`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

export function rewriteScenarios(suite: Suite): void {
  it(
    'backs up every image of every kind (single, index, digest, tag+digest, init) and rewrites each workload once',
    suite.audited(async () => {
      const env = suite.env();
      const pub = env.publicSource;
      const [app, init, multi, pinned, tagged] = await Promise.all([
        sourceImage(pub, 'kinds/app', '1'),
        sourceImage(pub, 'kinds/init', '1'),
        sourceIndex(pub, 'kinds/multi', '1'),
        sourceImage(pub, 'kinds/pinned', 'build').then(byDigestOnly),
        sourceImage(pub, 'kinds/tagged', '2').then(byTagAndDigest),
      ]);
      const planned: Planned[] = [
        {
          kind: 'Deployment',
          name: 'web',
          containers: { app, sidecar: tagged },
          initContainers: { setup: init },
        },
        { kind: 'DaemonSet', name: 'agent', containers: { agent: multi } },
        { kind: 'StatefulSet', name: 'db', containers: { db: pinned }, initContainers: { setup: init } },
        { kind: 'CronJob', name: 'job', containers: { job: app } },
      ];
      const ns = await env.namespace('kinds');
      const refs = await Promise.all(planned.map((p) => createPlanned(env, ns, p)));
      for (const r of refs) await waitRolledOut(env.api, r);
      const generations = await Promise.all(
        refs.map(async (r) => (await getWorkload(env.api, r)).metadata.generation),
      );

      await suite.lifeboat();
      for (const [i, r] of refs.entries()) await assertRewritten(env, r, planned[i]!);
      // Settled: nothing writes a second time.
      await sleep(3_000);
      for (const [i, r] of refs.entries()) {
        const w = await getWorkload(env.api, r);
        assert.equal(
          w.metadata.generation,
          generations[i]! + 1,
          `${describeRef(r)}: generation rose by exactly one`,
        );
        assert.equal(occurrences(await eventsFor(env.api, ns, EventReasons.ImagesMovedToBackup, r)), 1);
      }
      for (const s of [app, init, multi, pinned, tagged]) {
        await assertBackedUp(env, s);
        const backups = await backupsOf(env, sourceRef(s));
        assert.equal(backups.length, 1, `one ImageBackup for ${sourceRef(s)}`);
        assert.equal(backups[0]!.status?.phase, 'Ready');
        assert.equal(backups[0]!.status?.targetDigest, s.digest);
      }
    }),
  );

  it(
    'copies an image shared by three namespaces once and rewrites all three',
    suite.audited(async () => {
      const env = suite.env();
      const shared = await sourceImage(env.publicSource, 'shared/app', '1');
      const copiedBefore = await metricSum(suite, 'lifeboat_copy_blobs_total', 'result="copied"');
      const plan: Planned = { kind: 'Deployment', name: 'shared', containers: { app: shared } };
      const namespaces = await Promise.all(['shared-a', 'shared-b', 'shared-c'].map((p) => env.namespace(p)));
      const refs = await Promise.all(namespaces.map((ns) => createPlanned(env, ns, plan)));
      for (const r of refs) await assertRewritten(env, r, plan);
      await assertBackedUp(env, shared);
      const backups = await backupsOf(env, sourceRef(shared));
      assert.equal(backups.length, 1, 'one ImageBackup for the shared source');
      assert.equal(backups[0]!.status?.attempts, 1, 'copied once');
      // Other namespaces using it write nothing to it: its status is what the one copy reported.
      assert.match(backups[0]!.status?.progress ?? '', /^3\/3 blobs, 100%$/);
      assert.equal(
        (await metricSum(suite, 'lifeboat_copy_blobs_total', 'result="copied"')) - copiedBefore,
        3,
        'config and two layers uploaded once each',
      );
    }),
  );

  it(
    'leaves alone an excluded namespace, an ignored workload, a never-Ready workload and an image already in the backup registry',
    suite.audited(async () => {
      const env = suite.env();
      const pub = env.publicSource;
      const { excluded, ignored, never, control } = await sourceImages(pub, 'untouched', [
        'excluded',
        'ignored',
        'never',
        'control',
      ]);
      const inBackup = await pushImage(env.backup, 'lifeboat/elsewhere/app:1', {
        layers: 1,
        layerSize: 1024,
      });
      await suite.lifeboat();
      const ns = await env.namespace('untouched');
      const left: WorkloadRef[] = [
        await createPlanned(env, EXCLUDED_NS, {
          kind: 'Deployment',
          name: 'excluded',
          containers: { app: excluded },
        }),
        await createWorkload(env.api, ns, {
          kind: 'Deployment',
          name: 'ignored',
          containers: [{ name: 'app', image: sourceRef(ignored) }],
          annotations: { 'lifeboat.dev/ignore': 'true' },
        }),
        await createWorkload(env.api, ns, {
          kind: 'Deployment',
          name: 'never-ready',
          containers: [{ name: 'app', image: sourceRef(never) }],
          nodeSelector: { 'e2e.lifeboat.dev/no-such-node': 'true' },
        }),
        await createWorkload(env.api, ns, {
          kind: 'Deployment',
          name: 'in-backup',
          containers: [{ name: 'app', image: inBackup.ref }],
        }),
      ];
      const before = new Map(
        await Promise.all(left.map(async (r) => [r, await getWorkload(env.api, r)] as const)),
      );
      const controlPlan: Planned = { kind: 'Deployment', name: 'control', containers: { app: control } };
      // The control workload proves lifeboat looked at this namespace while the others stood still.
      await assertRewritten(env, await createPlanned(env, ns, controlPlan), controlPlan);
      await sleep(3_000);
      for (const r of left) {
        const w = await getWorkload(env.api, r);
        const was = before.get(r)!;
        assert.deepEqual(imagesOf(w), imagesOf(was), `${describeRef(r)}: images untouched`);
        assert.equal(w.metadata.generation, was.metadata.generation, `${describeRef(r)}: spec untouched`);
        assert.equal(w.metadata.annotations?.[ORIGINAL_IMAGES], undefined);
        assert.deepEqual(await eventsFor(env.api, r.namespace, EventReasons.ImagesMovedToBackup, r), []);
      }
      for (const s of [excluded, ignored]) {
        assert.deepEqual(await backupsOf(env, sourceRef(s)), [], `no ImageBackup for ${sourceRef(s)}`);
      }
      assert.deepEqual(await backupsOf(env, inBackup.ref), [], 'no backup of a backup');
    }),
  );

  it(
    'rewrites a private image where the namespace has credentials, and not where it has none (BackupAccessDenied)',
    suite.audited(async () => {
      const env = suite.env();
      const secret = await sourceImage(env.privateSource, 'private/app', '1');
      await suite.lifeboat();
      const withCreds = await env.namespace('private-a');
      await env.dockerConfigSecret(
        withCreds,
        'source-creds',
        env.privateSource,
        readerCredentials(env.privateSource),
      );
      const planA: Planned = {
        kind: 'Deployment',
        name: 'private',
        containers: { app: secret },
        imagePullSecrets: ['source-creds'],
      };
      const a = await createPlanned(env, withCreds, planA);
      await waitRolledOut(env.api, a);
      await assertRewritten(env, a, planA);
      await assertBackedUp(env, secret);
      const [backup] = await backupsOf(env, sourceRef(secret));
      assert.equal(backup?.status?.private, true, 'the copy needed credentials');
      // The copy found the workload's Secret through the workloads that use the backup: nothing
      // about who uses it is written to the ImageBackup.
      assert.deepEqual(Object.keys(backup?.spec ?? {}).sort(), ['source', 'target'], 'spec names no Secret');

      const without = await env.namespace('private-b');
      const b = await createPlanned(env, without, {
        kind: 'Deployment',
        name: 'private',
        containers: { app: secret },
      });
      await waitRolledOut(env.api, b);
      const denied = await waitEvent(env.api, b, EventReasons.BackupAccessDenied);
      assert.equal(denied.type, 'Warning');
      await sleep(3_000);
      const w = await getWorkload(env.api, b);
      assert.deepEqual(imagesOf(w), { app: sourceRef(secret) }, 'left as it was');
      assert.equal(w.metadata.generation, 1);
      assert.deepEqual(await eventsFor(env.api, without, EventReasons.ImagesMovedToBackup, b), []);

      const leaked = [
        env.privateSource.readerPassword!,
        Buffer.from(`${env.privateSource.readerUsername}:${env.privateSource.readerPassword}`).toString(
          'base64',
        ),
      ];
      const visible = JSON.stringify([
        await backupsOf(env, sourceRef(secret)),
        ...(await Promise.all(
          [withCreds, without].map((n) => eventsFor(env.api, n, EventReasons.BackupAccessDenied)),
        )),
      ]);
      for (const s of leaked) assert.ok(!visible.includes(s), 'no credential in ImageBackups or Events');
    }),
  );
}
