// The moment a lifeboat is for (issue 15 item 5): a workload created AFTER its source vanished
// never becomes Ready, yet it is rewritten to the backup that holds its image, pinned to the digest
// the backup holds, under the default `--require-ready`. `--require-ready` still keeps lifeboat from
// copying an image nothing was seen running. Its own environment (backup-env.ts: control plane with
// kwok nodes, three real registries); the source is deleted with crane, as a third party would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runTool, waitFor } from '../../../src/devenv/index.ts';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { PULL_SECRET_COPY, readerCredentials, startBackupEnv, type BackupEnv } from './backup-env.ts';
import { sourceImage } from './fixtures.ts';
import { assertRewritten, createPlanned, waitRewritten, type Planned } from './rewrite.scenarios.ts';
import {
  assertBackedUp,
  backupRepository,
  backupsOf,
  createSuite,
  rewrittenRef,
  sleep,
  sourceRef,
} from './suite.ts';
import {
  createWorkload,
  eventsFor,
  getWorkload,
  imagesOf,
  podTemplateOf,
  waitEvent,
  type WorkloadObject,
} from './workloads.ts';

const ORIGINAL_IMAGES = 'lifeboat.dev/original-images';

/** `lifeboat_workloads{protection}` from a Prometheus text exposition. */
function protections(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^lifeboat_workloads\{protection="(\w+)"\} (\d+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}
/** No kwok node carries it: the pods stay Pending and the workload never becomes Ready. */
const NOWHERE = { 'e2e.lifeboat.dev/no-such-node': 'true' } as const;

describe('a source that vanished (lifeboat run as a process)', () => {
  let env: BackupEnv | undefined;
  const suite = createSuite(() => {
    if (!env) throw new Error('the backup environment did not start');
    return env;
  });

  before(async () => {
    env = await startBackupEnv();
  });
  after(async () => {
    await suite.stopLifeboat();
    await env?.stop();
  });

  it(
    'rewrites a never-Ready workload created after its source was deleted to the Ready backup, and backs up nothing new for one',
    suite.audited(async () => {
      const e = suite.env();
      const pub = e.publicSource;
      const [gone, fresh] = await Promise.all([
        sourceImage(pub, 'vanish/app', '1'),
        sourceImage(pub, 'vanish/fresh', '1'),
      ]);
      await suite.lifeboat();

      // Seen running: backed up and rewritten as usual.
      const first: Planned = { kind: 'Deployment', name: 'first', containers: { app: gone } };
      await assertRewritten(e, await createPlanned(e, await e.namespace('vanish-first'), first), first);
      await assertBackedUp(e, gone);

      // The source disappears: the manifest is deleted (its tag with it), as crane would do it to any registry.
      await runTool('crane', ['delete', `${pub.host}/${gone.path}@${gone.digest}`], { registries: [pub] });
      await assert.rejects(
        runTool('crane', ['digest', sourceRef(gone)], { registries: [pub] }),
        /MANIFEST_UNKNOWN|not found|404/i,
        'the source tag is gone',
      );

      // A new namespace, a new Deployment of that image: its pods can never start from the source
      // (here: no node matches), so it never becomes Ready.
      const ns = await e.namespace('vanish-late');
      const late = await createWorkload(e.api, ns, {
        kind: 'Deployment',
        name: 'late',
        containers: [{ name: 'app', image: sourceRef(gone) }],
        nodeSelector: NOWHERE,
      });
      // Beside it, a never-Ready workload of an image nothing was seen running: `--require-ready`
      // still holds it back, and no ImageBackup is created for it.
      const held = await createWorkload(e.api, ns, {
        kind: 'Deployment',
        name: 'held',
        containers: [{ name: 'app', image: sourceRef(fresh) }],
        nodeSelector: NOWHERE,
      });

      const w: WorkloadObject = await waitRewritten(e, late);
      assert.deepEqual(imagesOf(w), { app: rewrittenRef(e, gone) }, 'pinned to the digest the backup holds');
      assert.equal(
        rewrittenRef(e, gone),
        `${backupRepository(e, pub, gone.path)}:1@${gone.digest}`,
        'the digest the cluster already ran',
      );
      assert.deepEqual(JSON.parse(w.metadata.annotations?.[ORIGINAL_IMAGES] ?? 'null'), {
        app: sourceRef(gone),
      });
      assert.ok(
        (podTemplateOf(w).spec.imagePullSecrets ?? []).some((s) => s.name === PULL_SECRET_COPY),
        `${PULL_SECRET_COPY} in the pod template's imagePullSecrets`,
      );
      const moved = await waitEvent(e.api, late, EventReasons.ImagesMovedToBackup);
      assert.ok(moved.note?.includes(sourceRef(gone)), `the Event names the source: ${moved.note}`);

      const [backup, ...others] = await backupsOf(e, sourceRef(gone));
      assert.equal(others.length, 0, 'one ImageBackup for the source');
      assert.equal(backup?.status?.phase, 'Ready', 'the backup stays Ready');
      assert.equal(backup?.status?.targetDigest, gone.digest);
      await assertBackedUp(e, gone);

      // Settled: the held-back workload is untouched and nothing was copied for it.
      await sleep(3_000);
      const still = await getWorkload(e.api, held);
      assert.deepEqual(imagesOf(still), { app: sourceRef(fresh) }, 'held back by --require-ready');
      assert.equal(still.metadata.generation, 1);
      assert.deepEqual(
        await backupsOf(e, sourceRef(fresh)),
        [],
        'no ImageBackup for a source never seen running',
      );
      assert.deepEqual(await eventsFor(e.api, ns, EventReasons.ImagesMovedToBackup, held), []);
      const now = await getWorkload(e.api, late);
      assert.equal(now.metadata.generation, 2, 'rewritten exactly once');
      assert.equal(now.status?.readyReplicas ?? 0, 0, 'rewritten although it never was Ready');

      // The controller's verdict from its caches: both Deployments of the vanished image run from
      // its Ready backup with the pull secret in place; the held-back one is exposed.
      const address = await (await suite.lifeboat()).address();
      let last: Record<string, number> = {};
      await waitFor(
        async () => {
          last = protections(await (await fetch(`http://${address}/metrics`)).text());
          return last.protected === 2 && last.exposed === 1;
        },
        { what: 'lifeboat_workloads: 2 protected, 1 exposed', timeoutMs: 30_000, intervalMs: 200 },
      ).catch((error: unknown) => {
        throw new Error(`lifeboat_workloads: ${JSON.stringify(last)}`, { cause: error });
      });
    }),
  );

  it(
    'a never-Ready workload of a private backup is rewritten only where its namespace can read the source (BackupAccessDenied elsewhere)',
    suite.audited(async () => {
      const e = suite.env();
      const secret = await sourceImage(e.privateSource, 'vanish/private', '1');
      await suite.lifeboat();
      const withCreds = async (prefix: string): Promise<string> => {
        const ns = await e.namespace(prefix);
        await e.dockerConfigSecret(ns, 'source-creds', e.privateSource, readerCredentials(e.privateSource));
        return ns;
      };
      const owner: Planned = {
        kind: 'Deployment',
        name: 'owner',
        containers: { app: secret },
        imagePullSecrets: ['source-creds'],
      };
      await assertRewritten(e, await createPlanned(e, await withCreds('vanish-owner'), owner), owner);
      const [backup] = await backupsOf(e, sourceRef(secret));
      assert.equal(backup?.status?.private, true, 'the copy needed credentials');

      // Never Ready, no credentials for the source: the access check refuses, nothing is written.
      const strangers = await e.namespace('vanish-stranger');
      const stranger = await createWorkload(e.api, strangers, {
        kind: 'Deployment',
        name: 'stranger',
        containers: [{ name: 'app', image: sourceRef(secret) }],
        nodeSelector: NOWHERE,
      });
      // Never Ready, with credentials: rewritten without waiting.
      const lateOwner = await createWorkload(e.api, await withCreds('vanish-late-owner'), {
        kind: 'Deployment',
        name: 'late-owner',
        containers: [{ name: 'app', image: sourceRef(secret) }],
        imagePullSecrets: ['source-creds'],
        nodeSelector: NOWHERE,
      });
      const w = await waitRewritten(e, lateOwner);
      assert.deepEqual(imagesOf(w), { app: rewrittenRef(e, secret) });
      const denied = await waitEvent(e.api, stranger, EventReasons.BackupAccessDenied);
      assert.equal(denied.type, 'Warning');
      await sleep(3_000);
      const still = await getWorkload(e.api, stranger);
      assert.deepEqual(imagesOf(still), { app: sourceRef(secret) }, 'left as it was');
      assert.equal(still.metadata.generation, 1);
      assert.deepEqual(await eventsFor(e.api, strangers, EventReasons.ImagesMovedToBackup, stranger), []);
    }),
  );
});
