// Many workloads: the reaction time when the images are already backed up (20 Deployments), the
// time to back up and rewrite a 50-workload set, and the same set with the controller SIGKILLed
// several times along the way. Timings are printed (`backups timing …`), never asserted.
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { RESOURCES, resourceClient } from '../../../src/kube/index.ts';
import type { LifeboatProcess } from '../lifeboat-process.ts';
import { PULL_SECRET_COPY, WAIT, type BackupEnv } from './backup-env.ts';
import { sourceImage } from './fixtures.ts';
import { assertRewritten, createPlanned, type Planned } from './rewrite.scenarios.ts';
import {
  assertBackedUp,
  backupsOf,
  imageBackups,
  percentile,
  rewrittenRef,
  sourceRef,
  type SourceImage,
  type Suite,
} from './suite.ts';
import {
  allImagesUnder,
  describeRef,
  eventsFor,
  getWorkload,
  imagesOf,
  occurrences,
  waitRolledOut,
  workloads,
  type WorkloadRef,
} from './workloads.ts';

const SET_TIMEOUT_MS = 300_000;
const REVISION = 'deployment.kubernetes.io/revision';

interface WorkloadSet {
  readonly images: readonly SourceImage[];
  readonly namespaces: readonly string[];
  /** Each Deployment with its image and its generation before lifeboat saw it. */
  readonly members: readonly { ref: WorkloadRef; image: SourceImage; generation: number }[];
}

/**
 * 50 Deployments in 5 namespaces over 10 images (each image used in every namespace), all rolled
 * out before lifeboat runs.
 */
async function fiftyDeployments(env: BackupEnv, prefix: string): Promise<WorkloadSet> {
  const images = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      sourceImage(env.publicSource, `${prefix}/img-${i}`, '1', { layers: 3, layerSize: 256 * 1024 }),
    ),
  );
  const namespaces = await Promise.all(Array.from({ length: 5 }, (_, n) => env.namespace(`${prefix}-${n}`)));
  const members = (
    await Promise.all(
      namespaces.map((ns) =>
        Promise.all(
          images.map(async (image, j) => {
            const plan: Planned = { kind: 'Deployment', name: `w-${j}`, containers: { app: image } };
            return { ref: await createPlanned(env, ns, plan), image };
          }),
        ),
      ),
    )
  ).flat();
  for (const m of members) await waitRolledOut(env.api, m.ref, SET_TIMEOUT_MS);
  const generations = await Promise.all(
    members.map(async (m) => (await getWorkload(env.api, m.ref)).metadata.generation ?? 0),
  );
  return { images, namespaces, members: members.map((m, i) => ({ ...m, generation: generations[i]! })) };
}

async function rewrittenCount(env: BackupEnv, set: WorkloadSet): Promise<number> {
  const lists = await Promise.all(
    set.namespaces.map((ns) => workloads(env.api, 'Deployment').listAll({ namespace: ns })),
  );
  return lists.flat().filter((w) => allImagesUnder(w, `${env.backup.host}/`)).length;
}

function waitSetRewritten(env: BackupEnv, set: WorkloadSet, atLeast = set.members.length): Promise<void> {
  return waitFor(async () => (await rewrittenCount(env, set)) >= atLeast, {
    what: `${atLeast} of the ${set.members.length} Deployments rewritten`,
    timeoutMs: SET_TIMEOUT_MS,
    intervalMs: 100,
  });
}

/**
 * Rewritten exactly once, observably: the image is the backup, the generation rose by exactly one
 * and the Deployment is at revision 2 (a second rewrite would have made a third ReplicaSet
 * revision). ImagesMovedToBackup at most once: a SIGKILL between the patch and the Event may lose
 * the Event, never double it (`exactlyOneEvent` when nothing was killed).
 */
async function assertSetConverged(env: BackupEnv, set: WorkloadSet, exactlyOneEvent: boolean): Promise<void> {
  for (const m of set.members) {
    await waitRolledOut(env.api, m.ref, SET_TIMEOUT_MS);
    const w = await getWorkload(env.api, m.ref);
    assert.deepEqual(imagesOf(w), { app: rewrittenRef(env, m.image) }, describeRef(m.ref));
    assert.equal(w.metadata.generation, m.generation + 1, `${describeRef(m.ref)}: rewritten once`);
    assert.equal(w.metadata.annotations?.[REVISION], '2', `${describeRef(m.ref)}: one new revision`);
    const events = occurrences(
      await eventsFor(env.api, m.ref.namespace, EventReasons.ImagesMovedToBackup, m.ref),
    );
    if (exactlyOneEvent) assert.equal(events, 1, `${describeRef(m.ref)}: one ImagesMovedToBackup`);
    else assert.ok(events <= 1, `${describeRef(m.ref)}: ImagesMovedToBackup ${events} times`);
  }
  for (const image of set.images) {
    await assertBackedUp(env, image);
    const backups = await backupsOf(env, sourceRef(image));
    assert.equal(backups.length, 1, `one ImageBackup for ${sourceRef(image)}`);
    assert.equal(backups[0]!.status?.phase, 'Ready');
  }
}

export function scaleScenarios(suite: Suite): void {
  it(
    'rewrites a Deployment soon after it becomes Ready when its image is already backed up (20 samples)',
    suite.audited(async (t: TestContext) => {
      const env = suite.env();
      const image = await sourceImage(env.publicSource, 'timing/app', '1');
      const plan: Planned = { kind: 'Deployment', name: 'warm', containers: { app: image } };
      await suite.lifeboat();
      const warm = await env.namespace('timing-warm');
      await assertRewritten(env, await createPlanned(env, warm, plan), plan);

      const ns = await env.namespace('timing');
      await waitFor(
        async () =>
          (await resourceClient(env.api, RESOURCES.secrets).find(PULL_SECRET_COPY, { namespace: ns })) !==
          undefined,
        { what: `the pull secret in ${ns}`, ...WAIT },
      );
      const names = Array.from({ length: 20 }, (_, i) => `d-${i}`);
      await Promise.all(names.map((name) => createPlanned(env, ns, { ...plan, name })));
      const readyAt = new Map<string, number>();
      const rewrittenAt = new Map<string, number>();
      await waitFor(
        async () => {
          const now = Date.now();
          for (const w of await workloads(env.api, 'Deployment').listAll({ namespace: ns })) {
            const name = w.metadata.name;
            if (allImagesUnder(w, `${env.backup.host}/`)) {
              if (!rewrittenAt.has(name)) rewrittenAt.set(name, now);
              // Ready and rewritten seen in one poll: Ready came first, within one interval.
              if (!readyAt.has(name)) readyAt.set(name, now);
            } else if ((w.status?.readyReplicas ?? 0) >= 1 && !readyAt.has(name)) {
              readyAt.set(name, now);
            }
          }
          return rewrittenAt.size === names.length;
        },
        { what: '20 Deployments rewritten', timeoutMs: WAIT.timeoutMs, intervalMs: 50 },
      );
      for (const name of names) {
        const w = await getWorkload(env.api, { kind: 'Deployment', namespace: ns, name });
        assert.equal(imagesOf(w).app, rewrittenRef(env, image));
      }
      const delays = names.map((n) => rewrittenAt.get(n)! - readyAt.get(n)!);
      t.diagnostic(
        `backups timing: Deployment Ready → rewritten (image already backed up): median ${percentile(delays, 50)} ms, p95 ${percentile(delays, 95)} ms (n=20, 50 ms polling)`,
      );
    }),
  );

  it(
    'backs up and rewrites a 50-workload set, each Deployment once',
    suite.audited(async (t: TestContext) => {
      const env = suite.env();
      await suite.stopLifeboat();
      const set = await fiftyDeployments(env, 'fifty');
      const start = Date.now();
      await suite.lifeboat();
      const up = Date.now() - start;
      await waitSetRewritten(env, set);
      const elapsed = Date.now() - start;
      await assertSetConverged(env, set, true);
      t.diagnostic(
        `backups timing: 50 Deployments over 10 images (3 × 256 KiB layers) backed up and rewritten in ${elapsed} ms after lifeboat run started (${up} ms of it start-up)`,
      );
    }),
  );

  it(
    'converges after the controller is SIGKILLed several times during a 50-workload backup, each workload rewritten once',
    suite.audited(async (t: TestContext) => {
      const env = suite.env();
      await suite.stopLifeboat();
      const set = await fiftyDeployments(env, 'killed');
      const sources = new Set(set.images.map(sourceRef));
      const ours = async () => (await imageBackups(env)).filter((b) => sources.has(b.spec.source));
      // The instants: as soon as a backup exists; once one is being copied or done; after the
      // first rewrites; half-way. A condition already passed when checked still kills there.
      const instants: [string, () => Promise<boolean>][] = [
        ['first ImageBackup created', async () => (await ours()).length > 0],
        ['a copy under way or done', async () => (await ours()).some((b) => b.status?.phase !== undefined)],
        ['first rewrites', async () => (await rewrittenCount(env, set)) >= 5],
        ['half rewritten', async () => (await rewrittenCount(env, set)) >= 25],
      ];
      const start = Date.now();
      let p: LifeboatProcess = env.startLifeboat();
      const kills: string[] = [];
      for (const [what, reached] of instants) {
        await p.address();
        await waitFor(reached, { what, timeoutMs: SET_TIMEOUT_MS, intervalMs: 20 });
        await p.stop('SIGKILL');
        kills.push(`${what} (${await rewrittenCount(env, set)} rewritten)`);
        p = env.startLifeboat();
      }
      await waitSetRewritten(env, set);
      const elapsed = Date.now() - start;
      await assertSetConverged(env, set, false);
      t.diagnostic(
        `backups timing: 50 Deployments with ${kills.length} SIGKILLs (${kills.join('; ')}) converged in ${elapsed} ms`,
      );
      assert.equal(await p.stop('SIGTERM'), 0, p.stderr());
    }),
  );
}
