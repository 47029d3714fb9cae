// The disaster drill (issue 15, "Tests"): what Lifeboat exists for, end to end, with `lifeboat run`
// as a child process against its own control plane (kwok nodes) and real registries
// (backup-env.ts; the backup registry is gc-backup-registry.ts's, so its own garbage collector can
// run on it). In order:
//   1. workloads of every kind (Deployment with an init container, DaemonSet of a 2-platform index,
//      StatefulSet of a digest-only image, CronJob) run from the public source, are backed up and
//      rewritten;
//   2. at the source one tag is deleted (crane delete), one is moved (another index pushed under
//      the same tag), then the whole source registry is stopped; lifeboat checks its sources every
//      2 s and records SourceGone / SourceChanged;
//   3. lifeboat is SIGKILLed and started again;
//   4. new workloads of those images appear in new namespaces, with pull secrets of their own and
//      pods that never become Ready (no node matches them, as rewrite.scenarios.ts does it);
//   5. the backup registry is stopped, collected with `registry garbage-collect --delete-untagged`
//      and served again on the same storage and address;
//   6. `lifeboat verify` (a child process, as an operator's CI runs it) exits 0;
//   7. a layer of one backup is deleted by hand: `verify` exits 1 naming the workloads that run it,
//      and the backup turns Degraded (BackupDamaged) at its next recheck.
// Throughout: two auditors (auditor.ts) fail the drill if any workload references a backup image
// that is missing (the top manifest, every round) or incomplete (every child manifest, config and
// layer, until the deliberate damage of step 7); every phase of every ImageBackup is recorded from
// a watch and none may ever be Failed; and the workloads rewritten in step 1 are never written again.
// `lifeboat verify`'s output is printed as `drill verify` diagnostics.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { pushImage, runTool, waitFor } from '../../../src/devenv/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import { RESOURCES, resourceClient } from '../../../src/kube/index.ts';
import type { CliRun } from '../cli/run-cli.ts';
import type { LifeboatProcess } from '../lifeboat-process.ts';
import { startAuditor } from './auditor.ts';
import {
  PULL_SECRET_COPY,
  pushCredentials,
  readerCredentials,
  startBackupEnv,
  type BackupEnv,
} from './backup-env.ts';
import {
  backupEvents,
  deleteBlob,
  runVerify,
  verifyRows,
  waitBackup,
  waitBackupEvent,
  watchImageBackups,
  type BackupWatch,
  type VerifyRow,
} from './drill.ts';
import { byDigestOnly, byTagAndDigest, sourceImage, sourceIndex } from './fixtures.ts';
import { startGcBackupRegistry, type GcBackupRegistry } from './gc-backup-registry.ts';
import { craneDigest, craneTags } from './registry-check.ts';
import { assertRewritten, createPlanned, waitRewritten, type Planned } from './rewrite.scenarios.ts';
import {
  backupRepository,
  backupsOf,
  createSuite,
  rewrittenRef,
  sourceRef,
  type SourceImage,
} from './suite.ts';
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

/** Source checks every 2 s (the default is 6 h), so what they record shows within the drill. */
const LIFEBOAT_FLAGS = ['--source-check-interval', '2s'] as const;
/** No kwok node carries it: the pods stay Pending and the workload never becomes Ready. */
const NOWHERE = { 'e2e.lifeboat.dev/no-such-node': 'true' } as const;
/** Each bounded wait of the drill (the whole drill is meant to take well under three minutes). */
const STEP_MS = 60_000;
const SOURCE_AVAILABLE = 'SourceAvailable';

/** The anchor tag of a digest, written out by hand: `lifeboat-sha256-<hex>`. */
const anchorOf = (digest: string): string => `lifeboat-${digest.replace(':', '-')}`;

const sourceCondition = (b: ImageBackup) => b.status?.conditions?.find((c) => c.type === SOURCE_AVAILABLE);

/** A verify row as compared: who, which container, which verdict. */
const rowKey = (r: Pick<VerifyRow, 'NAMESPACE' | 'WORKLOAD' | 'CONTAINER' | 'VERDICT'>): string =>
  `${r.NAMESPACE} ${r.WORKLOAD} ${r.CONTAINER} ${r.VERDICT}`;

const containerNames = (p: Planned): string[] => [
  ...Object.keys(p.initContainers ?? {}),
  ...Object.keys(p.containers),
];

function printVerify(t: TestContext, when: string, run: CliRun): void {
  t.diagnostic(`drill verify (${when}): exit ${String(run.code)}`);
  for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(`drill verify | ${line}`);
  for (const line of run.stderr.trim().split('\n').filter(Boolean))
    t.diagnostic(`drill verify stderr | ${line}`);
}

describe('the disaster drill (issue 15): sources vanish and move, lifeboat is killed, the backup registry is collected', () => {
  let env: BackupEnv | undefined;
  let gc: GcBackupRegistry | undefined;
  const suite = createSuite(() => {
    if (!env) throw new Error('the backup environment did not start');
    return env;
  });

  before(async () => {
    env = await startBackupEnv({
      backupRegistry: async () => (gc = await startGcBackupRegistry()).registry,
    });
  });
  after(async () => {
    await env?.stop();
  });

  it(
    'keeps every workload running from complete backups pinned to what it ran; verify proves it, and finds the damage',
    suite.audited(async (t) => {
      const e = suite.env();
      const backupRegistry = gc!;
      const pub = e.publicSource;
      const started = Date.now();
      const step = (what: string): void =>
        t.diagnostic(`drill: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

      // 1. Every kind, every kind of reference, rolled out from the source.
      const [web, setup, agent, db, job] = await Promise.all([
        sourceImage(pub, 'drill/web', '1'),
        sourceImage(pub, 'drill/setup', '1').then(byTagAndDigest),
        sourceIndex(pub, 'drill/agent', '1'),
        sourceImage(pub, 'drill/db', 'build').then(byDigestOnly),
        sourceImage(pub, 'drill/job', '1'),
      ]);
      const images: Record<string, SourceImage> = { web, setup, agent, db, job };
      const planned: Planned[] = [
        { kind: 'Deployment', name: 'web', containers: { app: web }, initContainers: { setup } },
        { kind: 'DaemonSet', name: 'agent', containers: { agent } },
        { kind: 'StatefulSet', name: 'db', containers: { db } },
        { kind: 'CronJob', name: 'job', containers: { job } },
      ];
      const ns = await e.namespace('drill');
      const refs = await Promise.all(planned.map((p) => createPlanned(e, ns, p)));
      for (const r of refs) await waitRolledOut(e.api, r);

      const watch: BackupWatch = await watchImageBackups(e.api);
      const complete = startAuditor({ api: e.api, backup: e.backup, intervalMs: 500, complete: true });
      let completeStopped = false;
      let lifeboat: LifeboatProcess = e.startLifeboat(...LIFEBOAT_FLAGS);
      try {
        await lifeboat.address();
        for (const [i, r] of refs.entries()) await assertRewritten(e, r, planned[i]!);
        /** What the cluster runs once rewritten: never to be written again. */
        const running = new Map<WorkloadRef, WorkloadObject>();
        for (const r of refs) running.set(r, await getWorkload(e.api, r));
        const names: Record<string, string> = {};
        for (const [key, s] of Object.entries(images)) {
          const [backup, ...others] = await backupsOf(e, sourceRef(s));
          assert.equal(others.length, 0, `one ImageBackup for ${sourceRef(s)}`);
          assert.ok(backup, `an ImageBackup for ${sourceRef(s)}`);
          names[key] = backup.metadata.name;
          const ready = await waitBackup(
            watch,
            backup.metadata.name,
            'Ready',
            (b) => b.status?.phase === 'Ready',
          );
          assert.equal(ready.status?.targetDigest, s.digest, `${sourceRef(s)}: the digest the cluster ran`);
          const repository = backupRepository(e, pub, s.path).slice(e.backup.host.length + 1);
          const tags = await craneTags(e.backup, repository, readerCredentials(e.backup));
          assert.ok(
            tags.includes(anchorOf(s.digest)),
            `${repository} anchors ${s.digest}: ${tags.join(', ')}`,
          );
        }
        step('4 workloads of every kind backed up and rewritten');

        // 2. The sources: every backup's source checked once, then a tag deleted, a tag moved, and
        // the whole registry stopped. The backups stay Ready; lifeboat reports what it sees.
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
          e.api,
          names.web!,
          EventReasons.SourceGone,
          (ev) => /NotFound/.test(ev.note ?? ''),
          STEP_MS,
        );
        assert.equal(gone.type, 'Warning');
        const changed = await waitBackupEvent(
          e.api,
          names.agent!,
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
          names.agent!,
          'the moved tag seen',
          (b) => b.status?.sourceLatestDigest === moved.digest,
          STEP_MS,
        );
        assert.equal(
          drifted.status?.targetDigest,
          agent.digest,
          'keep: the backup holds what the cluster ran',
        );
        assert.equal(
          await craneDigest(
            e.backup,
            `${backupRepository(e, pub, agent.path)}:1`,
            readerCredentials(e.backup),
          ),
          agent.digest,
          "keep: the backup's tag did not move",
        );
        step(`source tag ${sourceRef(web)} deleted (SourceGone), ${sourceRef(agent)} moved (SourceChanged)`);

        await pub.stop();
        for (const [key, name] of Object.entries(names)) {
          const b = await waitBackup(
            watch,
            name,
            'its source unreachable',
            (x) => sourceCondition(x)?.status === 'False' && sourceCondition(x)?.reason === 'Unreachable',
            STEP_MS,
          );
          assert.equal(b.status?.phase, 'Ready', `${key}: a gone source changes nothing else`);
          assert.equal(b.status?.targetDigest, images[key]!.digest);
          assert.ok(
            (await backupEvents(e.api, name, EventReasons.SourceGone)).length >= 1,
            `${key}: SourceGone`,
          );
        }
        step('the source registry stopped: every source Unreachable, every backup Ready');

        // 3. The controller dies without a word and comes back.
        await lifeboat.stop('SIGKILL');
        lifeboat = e.startLifeboat(...LIFEBOAT_FLAGS);
        await lifeboat.address();
        step('lifeboat SIGKILLed and started again');

        // 4. New workloads of those images in new namespaces, with pull secrets of their own; their
        // pods never become Ready. They are rewritten to the backups, pinned to what already ran.
        const [lateA, lateB] = await Promise.all([e.namespace('drill-late-a'), e.namespace('drill-late-b')]);
        for (const n of [lateA, lateB]) {
          await e.dockerConfigSecret(n, 'own-pull', pub, {
            username: 'team',
            password: randomBytes(8).toString('hex'),
          });
        }
        const latePlans: [string, Planned][] = [
          [lateA, planned[0]!],
          [lateA, planned[2]!],
          [lateB, planned[1]!],
          [lateB, planned[3]!],
        ];
        const toContainers = (m: Readonly<Record<string, SourceImage>> = {}) =>
          Object.entries(m).map(([name, s]) => ({ name, image: sourceRef(s) }));
        const late = await Promise.all(
          latePlans.map(async ([n, p]) => ({
            plan: p,
            ref: await createWorkload(e.api, n, {
              kind: p.kind,
              name: p.name,
              containers: toContainers(p.containers),
              ...(p.initContainers ? { initContainers: toContainers(p.initContainers) } : {}),
              imagePullSecrets: ['own-pull'],
              nodeSelector: NOWHERE,
            }),
          })),
        );
        const lateGenerations = new Map<WorkloadRef, number | undefined>();
        for (const { plan, ref } of late) {
          const w = await waitRewritten(e, ref, STEP_MS);
          const expected = Object.fromEntries(
            Object.entries({ ...plan.initContainers, ...plan.containers }).map(([c, s]) => [
              c,
              rewrittenRef(e, s),
            ]),
          );
          assert.deepEqual(imagesOf(w), expected, `${describeRef(ref)}: pinned to the digests backed up`);
          const original = running.get(refs[planned.indexOf(plan)]!)!;
          assert.deepEqual(
            imagesOf(w),
            imagesOf(original),
            `${describeRef(ref)}: what the cluster already ran`,
          );
          const secrets = (podTemplateOf(w).spec.imagePullSecrets ?? []).map((s) => s.name).sort();
          assert.deepEqual(
            secrets,
            ['own-pull', PULL_SECRET_COPY].sort(),
            `${describeRef(ref)}: pull secrets`,
          );
          await waitEvent(e.api, ref, EventReasons.ImagesMovedToBackup, STEP_MS);
          lateGenerations.set(ref, w.metadata.generation);
        }
        for (const n of [lateA, lateB]) {
          assert.ok(
            await resourceClient(e.api, RESOURCES.secrets).find(PULL_SECRET_COPY, { namespace: n }),
            `${PULL_SECRET_COPY} in ${n}`,
          );
        }
        for (const { ref } of late) {
          const s = (await getWorkload(e.api, ref)).status ?? {};
          assert.equal(s.readyReplicas ?? s.numberReady ?? 0, 0, `${describeRef(ref)}: no pod Ready`);
        }
        step('4 new never-Ready workloads in 2 new namespaces rewritten to the backups');

        // 5. The backup registry's own garbage collector, untagged deletion on. A control: an
        // untagged manifest in a scratch repository, which the collector must delete.
        const scratch = await pushImage(e.backup, 'drill-scratch/untagged:tmp', {
          layers: 1,
          layerSize: 1024,
        });
        await runTool('regctl', ['tag', 'delete', scratch.ref], { registries: [e.backup] });
        const roundsBefore = complete.rounds();
        await backupRegistry.pause();
        const collected = await backupRegistry.garbageCollect({ deleteUntagged: true });
        await backupRegistry.resume();
        await assert.rejects(
          craneDigest(
            e.backup,
            `${e.backup.host}/drill-scratch/untagged@${scratch.digest}`,
            pushCredentials(e.backup),
          ),
          'the collector deleted the untagged control manifest',
        );
        await waitFor(() => complete.rounds() >= roundsBefore + 2, {
          what: 'two complete audit rounds after the collection',
          timeoutMs: STEP_MS,
          intervalMs: 100,
        });
        const deletions = collected.split('\n').filter((l) => /delet/i.test(l)).length;
        step(
          `backup registry garbage-collected with --delete-untagged (${deletions} deletion lines) and served again`,
        );

        // 6. The proof an operator's CI runs.
        const all = await runVerify(e);
        printVerify(t, 'sources gone, lifeboat killed, backup registry collected', all);
        assert.equal(all.code, 0, `verify exits 0\nstdout: ${all.stdout}\nstderr: ${all.stderr}`);
        const everyContainer = [
          ...refs.map((r, i) => ({ ref: r, plan: planned[i]! })),
          ...late.map(({ ref, plan }) => ({ ref, plan })),
        ].flatMap(({ ref, plan }) =>
          containerNames(plan).map((c) => ({
            NAMESPACE: ref.namespace,
            WORKLOAD: `${ref.kind.toLowerCase()}/${ref.name}`,
            CONTAINER: c,
          })),
        );
        assert.deepEqual(
          verifyRows(all.stdout).map(rowKey).sort(),
          everyContainer.map((c) => rowKey({ ...c, VERDICT: 'protected' })).sort(),
          'every container of every drill workload protected',
        );

        // Nothing the cluster ran was written again; no backup was ever Failed; every image complete.
        const assertNeverWrittenAgain = async (when: string): Promise<void> => {
          for (const [r, was] of running) {
            const w = await getWorkload(e.api, r);
            assert.equal(
              w.metadata.generation,
              was.metadata.generation,
              `${describeRef(r)}: not written again ${when}`,
            );
            assert.deepEqual(imagesOf(w), imagesOf(was), `${describeRef(r)}: images ${when}`);
          }
          for (const [r, generation] of lateGenerations) {
            assert.equal(
              (await getWorkload(e.api, r)).metadata.generation,
              generation,
              `${describeRef(r)} ${when}`,
            );
          }
        };
        /** Never Failed; nor Degraded (a false alarm: the backup registry held every backup) but `damaged`. */
        const assertNeverFailed = async (damaged?: string): Promise<void> => {
          for (const [key, name] of Object.entries(names)) {
            const phases = watch.phases().get(name) ?? [];
            assert.ok(!phases.includes('Failed'), `${key}: phases seen ${phases.join(' → ')}`);
            assert.deepEqual(
              await backupEvents(e.api, name, EventReasons.BackupFailed),
              [],
              `${key}: no BackupFailed`,
            );
            if (key === damaged) continue;
            assert.ok(!phases.includes('Degraded'), `${key}: phases seen ${phases.join(' → ')}`);
            assert.deepEqual(
              await backupEvents(e.api, name, EventReasons.BackupDamaged),
              [],
              `${key}: no BackupDamaged`,
            );
          }
        };
        await assertNeverWrittenAgain('after the drill');
        await assertNeverFailed();
        completeStopped = true;
        const incomplete = await complete.stop();
        t.diagnostic(
          `drill: complete-image auditor: ${complete.rounds()} rounds, ${complete.checks()} images checked`,
        );
        assert.deepEqual(incomplete, [], 'no workload ever referenced an incomplete backup image');

        // 7. Damage by hand: a layer of the Deployment's backup goes.
        const webTarget = backupRepository(e, pub, web.path);
        const webRepository = webTarget.slice(e.backup.host.length + 1);
        const manifest = JSON.parse(
          (await runTool('crane', ['manifest', `${webTarget}@${web.digest}`], { registries: [e.backup] }))
            .stdout,
        ) as { layers: { digest: string }[] };
        const layer = manifest.layers[0]!.digest;
        assert.equal(await deleteBlob(e.backup, pushCredentials(e.backup), webRepository, layer), 202);
        await assert.rejects(runTool('crane', ['blob', `${webTarget}@${layer}`], { registries: [e.backup] }));
        step(`layer ${layer} of ${webTarget}@${web.digest} deleted by hand`);

        const damaged = await runVerify(e);
        printVerify(t, 'a layer of the web backup deleted', damaged);
        assert.equal(damaged.code, 1, `verify exits 1\nstdout: ${damaged.stdout}\nstderr: ${damaged.stderr}`);
        const rows = verifyRows(damaged.stdout);
        const runsWeb = (r: VerifyRow) => r.WORKLOAD === 'deployment/web' && r.CONTAINER === 'app';
        assert.deepEqual(
          rows
            .filter((r) => r.VERDICT !== 'protected')
            .map((r) => [r.NAMESPACE, r.WORKLOAD, r.CONTAINER, r.VERDICT, r.REASON])
            .sort(),
          [ns, lateA]
            .sort()
            .map((n) => [n, 'deployment/web', 'app', 'exposed', `backup damaged: layer ${layer} missing`]),
          'exactly the containers that run the damaged backup are exposed, and verify names the layer',
        );
        assert.equal(rows.filter((r) => !runsWeb(r)).length, everyContainer.length - 2);

        // Its next recheck (what the workload controller asks for when it finds a backup missing):
        // the source is gone, so the backup cannot be repaired: Degraded, BackupDamaged.
        await imageBackupClient(e.api).patchStatus(names.web!, { status: { phase: 'Pending' } });
        const degraded = await waitBackup(
          watch,
          names.web!,
          'Degraded',
          (b) => b.status?.phase === 'Degraded',
          STEP_MS,
        );
        assert.equal(degraded.status?.targetDigest, web.digest, 'the digest workloads run is kept');
        const damage = await waitBackupEvent(
          e.api,
          names.web!,
          EventReasons.BackupDamaged,
          () => true,
          STEP_MS,
        );
        assert.equal(damage.type, 'Warning');
        assert.ok(damage.note?.includes(layer), `BackupDamaged names the missing layer: ${damage.note}`);
        step('the damaged backup rechecked: Degraded, BackupDamaged');
        await assertNeverWrittenAgain('after the damage');
        await assertNeverFailed('web');
      } finally {
        for (const [name, phases] of watch.phases()) {
          t.diagnostic(`drill: ImageBackup ${name}: ${phases.join(' → ')}`);
        }
        if (!completeStopped) await complete.stop();
        await watch.stop();
        await lifeboat.stop('SIGTERM');
      }
      step('done');
    }),
  );
});
