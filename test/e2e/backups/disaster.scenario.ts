// The steps of the disaster drill (disaster.test.ts runs them in order, in one environment). Each
// step asserts what the issue expects of it and returns what later steps need.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { pushImage, runTool, waitFor } from '../../../src/devenv/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import { RESOURCES, resourceClient } from '../../../src/kube/index.ts';
import type { CliRun } from '../cli/run-cli.ts';
import { startAuditor, type Auditor } from './auditor.ts';
import { PULL_SECRET_COPY, pushCredentials, readerCredentials, type BackupEnv } from './backup-env.ts';
import {
  backupEvents,
  deleteBlob,
  runVerify,
  verifyRows,
  waitBackup,
  waitBackupEvent,
  type BackupWatch,
  type VerifyRow,
} from './drill.ts';
import { byDigestOnly, byTagAndDigest, sourceImage, sourceIndex } from './fixtures.ts';
import type { GcBackupRegistry } from './gc-backup-registry.ts';
import { craneDigest, craneTags } from './registry-check.ts';
import { assertRewritten, createPlanned, waitRewritten, type Planned } from './rewrite.scenarios.ts';
import { backupRepository, backupsOf, rewrittenRef, sourceRef, type SourceImage } from './suite.ts';
import {
  createWorkload,
  describeRef,
  getWorkload,
  imagesOf,
  podTemplateOf,
  waitEvent,
  waitRolledOut,
  type WorkloadObject,
  type WorkloadRef,
} from './workloads.ts';

/** Each bounded wait of the drill (the whole drill is meant to take well under three minutes). */
export const STEP_MS = 60_000;
/** No kwok node carries it: the pods stay Pending and the workload never becomes Ready. */
const NOWHERE = { 'e2e.lifeboat.dev/no-such-node': 'true' } as const;
const OWN_PULL_SECRET = 'own-pull';

/** The anchor tag of a digest, written out by hand: `lifeboat-sha256-<hex>`. */
const anchorOf = (digest: string): string => `lifeboat-${digest.replace(':', '-')}`;

const sourceCondition = (b: ImageBackup) => b.status?.conditions?.find((c) => c.type === 'SourceAvailable');

export interface DrillImages {
  /** Deployment `web`'s container; its source tag is deleted. */
  readonly web: SourceImage;
  /** Deployment `web`'s init container, by tag and digest. */
  readonly setup: SourceImage;
  /** DaemonSet `agent`: a 2-platform index whose source tag moves to another index. */
  readonly agent: SourceImage;
  /** StatefulSet `db`, by digest only: in the backup registry only its anchor tags it. */
  readonly db: SourceImage;
  readonly job: SourceImage;
}

export type ImageKey = keyof DrillImages;

export async function pushDrillImages(env: BackupEnv): Promise<DrillImages> {
  const pub = env.publicSource;
  const [web, setup, agent, db, job] = await Promise.all([
    sourceImage(pub, 'drill/web', '1'),
    sourceImage(pub, 'drill/setup', '1').then(byTagAndDigest),
    sourceIndex(pub, 'drill/agent', '1'),
    sourceImage(pub, 'drill/db', 'build').then(byDigestOnly),
    sourceImage(pub, 'drill/job', '1'),
  ]);
  return { web, setup, agent, db, job };
}

/** One workload of every kind. */
export function drillPlans(i: DrillImages): Planned[] {
  return [
    { kind: 'Deployment', name: 'web', containers: { app: i.web }, initContainers: { setup: i.setup } },
    { kind: 'DaemonSet', name: 'agent', containers: { agent: i.agent } },
    { kind: 'StatefulSet', name: 'db', containers: { db: i.db } },
    { kind: 'CronJob', name: 'job', containers: { job: i.job } },
  ];
}

export interface Member {
  readonly ref: WorkloadRef;
  readonly plan: Planned;
}

/** Creates the plans in `namespace` and waits until each rolled out from the source. */
export async function rollOut(
  env: BackupEnv,
  namespace: string,
  plans: readonly Planned[],
): Promise<Member[]> {
  const members = await Promise.all(
    plans.map(async (plan) => ({ ref: await createPlanned(env, namespace, plan), plan })),
  );
  for (const m of members) await waitRolledOut(env.api, m.ref);
  return members;
}

export interface BackedUp {
  /** The ImageBackup of each image. */
  readonly names: Readonly<Record<ImageKey, string>>;
  /** Each workload as rewritten: never to be written again. */
  readonly running: ReadonlyMap<WorkloadRef, WorkloadObject>;
}

/** Step 1: every workload rewritten once; one Ready backup per image, anchored, of the digest that ran. */
export async function assertBackedUpAndRewritten(
  env: BackupEnv,
  watch: BackupWatch,
  images: DrillImages,
  members: readonly Member[],
): Promise<BackedUp> {
  for (const m of members) await assertRewritten(env, m.ref, m.plan);
  const running = new Map<WorkloadRef, WorkloadObject>();
  for (const m of members) running.set(m.ref, await getWorkload(env.api, m.ref));
  const names: Partial<Record<ImageKey, string>> = {};
  for (const [key, s] of Object.entries(images) as [ImageKey, SourceImage][]) {
    const [backup, ...others] = await backupsOf(env, sourceRef(s));
    assert.equal(others.length, 0, `one ImageBackup for ${sourceRef(s)}`);
    assert.ok(backup, `an ImageBackup for ${sourceRef(s)}`);
    names[key] = backup.metadata.name;
    const ready = await waitBackup(watch, backup.metadata.name, 'Ready', (b) => b.status?.phase === 'Ready');
    assert.equal(ready.status?.targetDigest, s.digest, `${sourceRef(s)}: the digest the cluster ran`);
    const repository = backupRepository(env, s.registry, s.path).slice(env.backup.host.length + 1);
    const tags = await craneTags(env.backup, repository, readerCredentials(env.backup));
    assert.ok(tags.includes(anchorOf(s.digest)), `${repository} anchors ${s.digest}: ${tags.join(', ')}`);
  }
  return { names: names as Record<ImageKey, string>, running };
}

/**
 * Step 2: at the source, `web`'s tag deleted (SourceGone, NotFound) and `agent`'s moved
 * (SourceChanged from the digest backed up to the new one; with `keep` the backup and its tag stay),
 * then the whole source registry stopped (every source Unreachable). Every backup stays Ready.
 */
export async function sourcesVanish(
  env: BackupEnv,
  watch: BackupWatch,
  images: DrillImages,
  names: Readonly<Record<ImageKey, string>>,
): Promise<void> {
  const pub = env.publicSource;
  const { web, agent } = images;
  for (const name of Object.values(names)) {
    await waitBackup(
      watch,
      name,
      'its source checked, available',
      (b) => sourceCondition(b)?.status === 'True',
      STEP_MS,
    );
  }
  await runTool('crane', ['delete', sourceRef(web)], { registries: [pub] });
  await assert.rejects(
    runTool('crane', ['digest', sourceRef(web)], { registries: [pub] }),
    /MANIFEST_UNKNOWN|404/,
  );
  const moved = await sourceIndex(pub, agent.path, '1');
  assert.notEqual(moved.digest, agent.digest, 'the tag moved to another index');

  const gone = await waitBackupEvent(
    env.api,
    names.web,
    EventReasons.SourceGone,
    (ev) => /NotFound/.test(ev.note ?? ''),
    STEP_MS,
  );
  assert.equal(gone.type, 'Warning');
  const changed = await waitBackupEvent(
    env.api,
    names.agent,
    EventReasons.SourceChanged,
    () => true,
    STEP_MS,
  );
  assert.ok(
    changed.note?.includes(agent.digest) && changed.note.includes(moved.digest),
    `SourceChanged names the digest backed up and the one served now: ${changed.note}`,
  );
  const drifted = await waitBackup(
    watch,
    names.agent,
    'the moved tag seen',
    (b) => b.status?.sourceLatestDigest === moved.digest,
    STEP_MS,
  );
  assert.equal(drifted.status?.targetDigest, agent.digest, 'keep: the backup holds what the cluster ran');
  assert.equal(
    await craneDigest(
      env.backup,
      `${backupRepository(env, pub, agent.path)}:1`,
      readerCredentials(env.backup),
    ),
    agent.digest,
    "keep: the backup's tag did not move",
  );

  await pub.stop();
  for (const [key, name] of Object.entries(names) as [ImageKey, string][]) {
    const b = await waitBackup(
      watch,
      name,
      'its source unreachable',
      (x) => sourceCondition(x)?.status === 'False' && sourceCondition(x)?.reason === 'Unreachable',
      STEP_MS,
    );
    assert.equal(b.status?.phase, 'Ready', `${key}: a gone source changes nothing else`);
    assert.equal(b.status?.targetDigest, images[key].digest);
    assert.ok((await backupEvents(env.api, name, EventReasons.SourceGone)).length >= 1, `${key}: SourceGone`);
  }
}

export interface LateMember extends Member {
  /** The generation once rewritten: never to change again. */
  readonly generation: number | undefined;
}

/**
 * Step 4: the plans again in two new namespaces, each with a pull secret of its own, no node
 * matching their pods (never Ready). Each is rewritten to the backups, pinned to the digests the
 * cluster already ran (`agent`: the digest before its tag moved), its own secret kept beside
 * lifeboat's copy.
 */
export async function lateWorkloads(
  env: BackupEnv,
  plans: readonly Planned[],
  running: ReadonlyMap<WorkloadRef, WorkloadObject>,
): Promise<{ namespaces: readonly string[]; late: LateMember[] }> {
  const namespaces = await Promise.all([env.namespace('drill-late-a'), env.namespace('drill-late-b')]);
  for (const n of namespaces) {
    await env.dockerConfigSecret(n, OWN_PULL_SECRET, env.publicSource, {
      username: 'team',
      password: randomBytes(8).toString('hex'),
    });
  }
  const toContainers = (m: Readonly<Record<string, SourceImage>> = {}) =>
    Object.entries(m).map(([name, s]) => ({ name, image: sourceRef(s) }));
  const created = await Promise.all(
    plans.map(async (plan, i) => ({
      plan,
      ref: await createWorkload(env.api, namespaces[i % 2]!, {
        kind: plan.kind,
        name: plan.name,
        containers: toContainers(plan.containers),
        ...(plan.initContainers ? { initContainers: toContainers(plan.initContainers) } : {}),
        imagePullSecrets: [OWN_PULL_SECRET],
        nodeSelector: NOWHERE,
      }),
    })),
  );
  const ran = [...running.values()];
  const late: LateMember[] = [];
  for (const { plan, ref } of created) {
    const w = await waitRewritten(env, ref, STEP_MS);
    const expected = Object.fromEntries(
      Object.entries({ ...plan.initContainers, ...plan.containers }).map(([c, s]) => [
        c,
        rewrittenRef(env, s),
      ]),
    );
    assert.deepEqual(imagesOf(w), expected, `${describeRef(ref)}: pinned to the digests backed up`);
    const original = ran.find((o) => o.metadata.name === plan.name);
    assert.deepEqual(imagesOf(w), imagesOf(original!), `${describeRef(ref)}: what the cluster already ran`);
    const secrets = (podTemplateOf(w).spec.imagePullSecrets ?? []).map((s) => s.name).sort();
    assert.deepEqual(
      secrets,
      [OWN_PULL_SECRET, PULL_SECRET_COPY].sort(),
      `${describeRef(ref)}: pull secrets`,
    );
    await waitEvent(env.api, ref, EventReasons.ImagesMovedToBackup, STEP_MS);
    late.push({ plan, ref, generation: w.metadata.generation });
  }
  for (const n of namespaces) {
    assert.ok(
      await resourceClient(env.api, RESOURCES.secrets).find(PULL_SECRET_COPY, { namespace: n }),
      `${PULL_SECRET_COPY} in ${n}`,
    );
  }
  for (const { ref } of late) {
    const s = (await getWorkload(env.api, ref)).status ?? {};
    assert.equal(s.readyReplicas ?? s.numberReady ?? 0, 0, `${describeRef(ref)}: no pod Ready`);
  }
  return { namespaces, late };
}

/**
 * Step 5: the backup registry stopped, `registry garbage-collect --delete-untagged` on its storage,
 * served again. A control proves the collector deletes untagged manifests: one pushed to a scratch
 * repository and untagged is gone afterwards. The complete-image auditor then looks twice more.
 * Returns the collector's lines that report a deletion.
 */
export async function collectBackupRegistry(
  env: BackupEnv,
  gc: GcBackupRegistry,
  complete: Auditor,
): Promise<number> {
  const scratch = await pushImage(env.backup, 'drill-scratch/untagged:tmp', { layers: 1, layerSize: 1024 });
  await runTool('regctl', ['tag', 'delete', scratch.ref], { registries: [env.backup] });
  const roundsBefore = complete.rounds();
  await gc.pause();
  const collected = await gc.garbageCollect({ deleteUntagged: true });
  await gc.resume();
  await assert.rejects(
    craneDigest(
      env.backup,
      `${env.backup.host}/drill-scratch/untagged@${scratch.digest}`,
      pushCredentials(env.backup),
    ),
    'the collector deleted the untagged control manifest',
  );
  await waitFor(() => complete.rounds() >= roundsBefore + 2, {
    what: 'two complete audit rounds after the collection',
    timeoutMs: STEP_MS,
    intervalMs: 100,
  });
  return collected.split('\n').filter((l) => /delet/i.test(l)).length;
}

/** A verify row as compared: who, which container, which verdict. */
const rowKey = (r: Pick<VerifyRow, 'NAMESPACE' | 'WORKLOAD' | 'CONTAINER' | 'VERDICT'>): string =>
  `${r.NAMESPACE} ${r.WORKLOAD} ${r.CONTAINER} ${r.VERDICT}`;

export interface ContainerId {
  readonly NAMESPACE: string;
  readonly WORKLOAD: string;
  readonly CONTAINER: string;
}

/** Every container of `members`, named as verify names them (`deployment/web`). */
export function containersOf(members: readonly Member[]): ContainerId[] {
  return members.flatMap(({ ref, plan }) =>
    [...Object.keys(plan.initContainers ?? {}), ...Object.keys(plan.containers)].map((c) => ({
      NAMESPACE: ref.namespace,
      WORKLOAD: `${ref.kind.toLowerCase()}/${ref.name}`,
      CONTAINER: c,
    })),
  );
}

export function printVerify(t: TestContext, when: string, run: CliRun): void {
  t.diagnostic(`drill verify (${when}): exit ${String(run.code)}`);
  for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(`drill verify | ${line}`);
  for (const line of run.stderr.trim().split('\n').filter(Boolean)) {
    t.diagnostic(`drill verify stderr | ${line}`);
  }
}

/** Step 6: `lifeboat verify` exits 0 and finds exactly `containers`, each protected. */
export async function assertVerifyProtects(
  t: TestContext,
  env: BackupEnv,
  containers: readonly ContainerId[],
): Promise<void> {
  const run = await runVerify(env);
  printVerify(t, 'sources gone, lifeboat killed, backup registry collected', run);
  assert.equal(run.code, 0, `verify exits 0\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.deepEqual(
    verifyRows(run.stdout).map(rowKey).sort(),
    containers.map((c) => rowKey({ ...c, VERDICT: 'protected' })).sort(),
    'every container of every drill workload protected',
  );
}

/** Nothing the cluster ran, nor the late workloads once rewritten, was written again. */
export async function assertNeverWrittenAgain(
  env: BackupEnv,
  running: ReadonlyMap<WorkloadRef, WorkloadObject>,
  late: readonly LateMember[],
  when: string,
): Promise<void> {
  for (const [r, was] of running) {
    const w = await getWorkload(env.api, r);
    assert.equal(
      w.metadata.generation,
      was.metadata.generation,
      `${describeRef(r)}: not written again ${when}`,
    );
    assert.deepEqual(imagesOf(w), imagesOf(was), `${describeRef(r)}: images ${when}`);
  }
  for (const m of late) {
    const generation = (await getWorkload(env.api, m.ref)).metadata.generation;
    assert.equal(generation, m.generation, `${describeRef(m.ref)}: not written again ${when}`);
  }
}

/**
 * No backup was ever Failed (every phase the watch saw; no BackupFailed Event), nor Degraded or
 * BackupDamaged (a false alarm: the backup registry held every backup) except `damaged`.
 */
export async function assertNeverFailed(
  env: BackupEnv,
  watch: BackupWatch,
  names: Readonly<Record<ImageKey, string>>,
  damaged?: ImageKey,
): Promise<void> {
  for (const [key, name] of Object.entries(names) as [ImageKey, string][]) {
    const phases = watch.phases().get(name) ?? [];
    assert.ok(!phases.includes('Failed'), `${key}: phases seen ${phases.join(' → ')}`);
    assert.deepEqual(
      await backupEvents(env.api, name, EventReasons.BackupFailed),
      [],
      `${key}: no BackupFailed`,
    );
    if (key === damaged) continue;
    assert.ok(!phases.includes('Degraded'), `${key}: phases seen ${phases.join(' → ')}`);
    assert.deepEqual(
      await backupEvents(env.api, name, EventReasons.BackupDamaged),
      [],
      `${key}: no BackupDamaged`,
    );
  }
}

/**
 * Step 7: the first layer of `web`'s backup deleted by hand (HTTP DELETE with the push login).
 * `verify` exits 1 and names exactly the containers that run it, and the layer (so does the
 * complete-image auditor, which proves it could see such damage); the backup's next
 * recheck (asked for as the workload controller asks: phase Pending) finds it damaged with its
 * source gone: Degraded, with a Warning BackupDamaged naming the layer, the digest kept.
 * Returns the layer's digest.
 */
export async function damageOneLayer(
  t: TestContext,
  env: BackupEnv,
  watch: BackupWatch,
  web: SourceImage,
  webBackup: string,
  containers: readonly ContainerId[],
): Promise<string> {
  const target = backupRepository(env, web.registry, web.path);
  const repository = target.slice(env.backup.host.length + 1);
  const manifest = JSON.parse(
    (await runTool('crane', ['manifest', `${target}@${web.digest}`], { registries: [env.backup] })).stdout,
  ) as { layers: { digest: string }[] };
  const layer = manifest.layers[0]!.digest;
  assert.equal(await deleteBlob(env.backup, pushCredentials(env.backup), repository, layer), 202);
  await assert.rejects(runTool('crane', ['blob', `${target}@${layer}`], { registries: [env.backup] }));

  const run = await runVerify(env);
  printVerify(t, `layer ${layer} of the web backup deleted`, run);
  assert.equal(run.code, 1, `verify exits 1\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  const runsWeb = (c: ContainerId) => c.WORKLOAD === 'deployment/web' && c.CONTAINER === 'app';
  const rows = verifyRows(run.stdout);
  assert.deepEqual(
    rows
      .filter((r) => r.VERDICT !== 'protected')
      .map((r) => `${rowKey(r)}: ${r.REASON}`)
      .sort(),
    containers
      .filter(runsWeb)
      .map((c) => `${rowKey({ ...c, VERDICT: 'exposed' })}: backup damaged: layer ${layer} missing`)
      .sort(),
    'exactly the containers that run the damaged backup are exposed, and verify names the layer',
  );
  assert.deepEqual(
    rows.map(rowKey).sort(),
    containers.map((c) => rowKey({ ...c, VERDICT: runsWeb(c) ? 'exposed' : 'protected' })).sort(),
  );

  // The complete-image auditor of steps 1 to 6 sees such damage (it was not blind).
  const auditor = startAuditor({ api: env.api, backup: env.backup, intervalMs: 100, complete: true });
  await waitFor(() => auditor.rounds() >= 1, { what: 'one complete audit round', timeoutMs: STEP_MS });
  const found = await auditor.stop();
  assert.deepEqual(
    [...new Set(found.map((v) => `${v.workload} ${v.container}: ${v.problem}`))].sort(),
    containers
      .filter(runsWeb)
      .map(
        (c) =>
          `Deployment ${c.NAMESPACE}/web app: layer ${layer} of manifest ${web.digest} in ${repository}: HTTP 404`,
      )
      .sort(),
  );

  await imageBackupClient(env.api).patchStatus(webBackup, { status: { phase: 'Pending' } });
  const degraded = await waitBackup(
    watch,
    webBackup,
    'Degraded at its next recheck',
    (b) => b.status?.phase === 'Degraded',
    STEP_MS,
  );
  assert.equal(degraded.status?.targetDigest, web.digest, 'the digest workloads run is kept');
  const damage = await waitBackupEvent(env.api, webBackup, EventReasons.BackupDamaged, () => true, STEP_MS);
  assert.equal(damage.type, 'Warning');
  assert.ok(damage.note?.includes(layer), `BackupDamaged names the missing layer: ${damage.note}`);
  return layer;
}
