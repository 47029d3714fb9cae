// Lifeboat among other writers: a user editing the Deployment while lifeboat patches it, a GitOps
// tool putting the original images back, and `lifeboat restore` undoing the rewrite.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import type { JsonPatchOp } from '../../../src/kube/index.ts';
import { lifeboat } from '../cli/run-cli.ts';
import { WAIT } from './backup-env.ts';
import { sourceImage, sourceImages } from './fixtures.ts';
import { assertRewritten, createPlanned, type Planned } from './rewrite.scenarios.ts';
import { rewrittenRef, sleep, sourceRef, type Suite } from './suite.ts';
import {
  allImagesUnder,
  describeRef,
  eventsFor,
  getWorkload,
  imagesOf,
  occurrences,
  podTemplateOf,
  waitEvent,
  waitRolledOut,
  waitWorkload,
  workloads,
  type WorkloadRef,
} from './workloads.ts';

const ORIGINAL_IMAGES = 'lifeboat.dev/original-images';

export function writersScenarios(suite: Suite): void {
  it(
    'keeps every edit a user makes while lifeboat rewrites the Deployment, and converges',
    suite.audited(async () => {
      const env = suite.env();
      // Bigger layers: the copy takes a while, so edits land before, during and after the rewrite.
      const image = await sourceImage(env.publicSource, 'race/app', '1', {
        layers: 4,
        layerSize: 512 * 1024,
      });
      const plan: Planned = { kind: 'Deployment', name: 'race', containers: { app: image } };
      await suite.lifeboat();
      const ns = await env.namespace('race');
      const r = await createPlanned(env, ns, plan);
      const client = workloads(env.api, 'Deployment');
      await client.mergePatch(
        r.name,
        { metadata: { annotations: { 'e2e.lifeboat.dev/edits': 'started' } } },
        { namespace: ns, fieldManager: 'user' },
      );
      // Not an empty list: the API server drops it, and `env/-` would then point nowhere.
      const startEnv = [{ name: 'EDIT_START', value: '0' }];
      await client.jsonPatch(
        r.name,
        [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: startEnv }],
        { namespace: ns, fieldManager: 'user' },
      );
      // Each edit adds something new (an annotation; every tenth also an env var in the pod
      // template), so a lost edit shows as a missing key, whenever it happened. No resourceVersion,
      // as `kubectl patch` sends. Edits go on for 2 s after the rewrite was seen.
      const annotations: string[] = [];
      const envNames: string[] = ['EDIT_START'];
      let rewrittenAt: number | undefined;
      const deadline = Date.now() + WAIT.timeoutMs;
      for (
        let i = 0;
        Date.now() < deadline && (rewrittenAt === undefined || Date.now() - rewrittenAt < 2_000);
        i++
      ) {
        const key = `e2e.lifeboat.dev/edit-${i}`;
        const ops: JsonPatchOp[] = [
          { op: 'add', path: `/metadata/annotations/${key.replace('/', '~1')}`, value: String(i) },
        ];
        // Template edits start a rollout each: few of them, so the Deployment is Ready in between.
        const templateEdit = i % 10 === 0;
        if (templateEdit) {
          ops.push({
            op: 'add',
            path: '/spec/template/spec/containers/0/env/-',
            value: { name: `EDIT_${i}`, value: String(i) },
          });
        }
        await client.jsonPatch(r.name, ops, { namespace: ns, fieldManager: 'user' });
        annotations.push(key);
        if (templateEdit) envNames.push(`EDIT_${i}`);
        if (
          rewrittenAt === undefined &&
          allImagesUnder(await getWorkload(env.api, r), `${env.backup.host}/`)
        ) {
          rewrittenAt = Date.now();
        }
        await sleep(50);
      }
      assert.ok(rewrittenAt !== undefined, 'rewritten while the user kept editing');
      const w = await assertRewritten(env, r, plan);
      const final = await getWorkload(env.api, r);
      for (const key of annotations)
        assert.ok(final.metadata.annotations?.[key] !== undefined, `the user's ${key} survived`);
      assert.deepEqual(
        (podTemplateOf(final).spec.containers[0]?.env ?? []).map((e) => e.name),
        envNames,
        "every env var the user added survived, in the user's order",
      );
      assert.equal(imagesOf(w).app, rewrittenRef(env, image));
      await waitRolledOut(env.api, r);
    }),
  );

  it(
    'leaves a rewrite reverted by another writer reverted (RewriteReverted), with no rollout loop',
    suite.audited(async () => {
      const env = suite.env();
      const [v1, v2] = [
        await sourceImage(env.publicSource, 'gitops/app', '1'),
        await sourceImage(env.publicSource, 'gitops/app', '2'),
      ];
      const plan: Planned = { kind: 'Deployment', name: 'gitops', containers: { app: v1 } };
      await suite.lifeboat();
      const ns = await env.namespace('gitops');
      const r = await createPlanned(env, ns, plan);
      await waitRolledOut(env.api, r);
      await assertRewritten(env, r, plan);
      const original = [{ name: 'app', image: sourceRef(v1) }];
      // What `kubectl apply` of the original manifest does to the containers: a merge patch that
      // replaces the list. Lifeboat's annotation and pull secret are not in that manifest: kept.
      await workloads(env.api, 'Deployment').mergePatch(
        r.name,
        { spec: { template: { spec: { containers: original } } } },
        { namespace: ns, fieldManager: 'gitops' },
      );
      await waitEvent(env.api, r, EventReasons.RewriteReverted);
      const reverted = await getWorkload(env.api, r);
      const generation = reverted.metadata.generation;
      for (let i = 0; i < 16; i++) {
        await sleep(500);
        const w = await getWorkload(env.api, r);
        assert.equal(w.metadata.generation, generation, 'the generation stopped rising');
        assert.deepEqual(imagesOf(w), { app: sourceRef(v1) }, 'the revert stands');
      }
      assert.equal(occurrences(await eventsFor(env.api, ns, EventReasons.ImagesMovedToBackup, r)), 1);
      await waitRolledOut(env.api, r);

      // A new image from the same writer is a new rewrite.
      await workloads(env.api, 'Deployment').mergePatch(
        r.name,
        { spec: { template: { spec: { containers: [{ name: 'app', image: sourceRef(v2) }] } } } },
        { namespace: ns, fieldManager: 'gitops' },
      );
      const w = await waitWorkload(
        env.api,
        r,
        'v2 rewritten',
        (o) => imagesOf(o).app === rewrittenRef(env, v2),
      );
      assert.deepEqual(JSON.parse(w.metadata.annotations?.[ORIGINAL_IMAGES] ?? 'null'), {
        app: sourceRef(v2),
      });
      await waitRolledOut(env.api, r);
    }),
  );

  it(
    'lifeboat restore puts the original images back (a namespace, or one KIND/NAME)',
    suite.audited(async () => {
      const env = suite.env();
      const { a, b } = await sourceImages(env.publicSource, 'restore', ['a', 'b']);
      await suite.lifeboat();
      const whole = await env.namespace('restore-all');
      const single = await env.namespace('restore-one');
      const plans: [string, Planned][] = [
        [whole, { kind: 'Deployment', name: 'web', containers: { app: a }, initContainers: { setup: b } }],
        [whole, { kind: 'StatefulSet', name: 'db', containers: { db: b } }],
        [whole, { kind: 'DaemonSet', name: 'agent', containers: { agent: a } }],
        [whole, { kind: 'CronJob', name: 'job', containers: { job: b } }],
        [single, { kind: 'Deployment', name: 'one', containers: { app: a } }],
        [single, { kind: 'Deployment', name: 'other', containers: { app: b } }],
      ];
      const refs: WorkloadRef[] = [];
      for (const [ns, p] of plans) refs.push(await createPlanned(env, ns, p));
      for (const [i, r] of refs.entries()) {
        await waitRolledOut(env.api, r);
        await assertRewritten(env, r, plans[i]![1]);
      }
      // Restore is what an operator runs once lifeboat is stopped: a running one would back the
      // workloads up again.
      await suite.stopLifeboat();
      for (const args of [
        ['--namespace', whole],
        ['--namespace', single, 'Deployment/one'],
      ]) {
        const run = await lifeboat(env.commandArgs('restore', ...args));
        assert.equal(run.code, 0, `lifeboat restore ${args.join(' ')}: ${run.stderr}`);
      }
      for (const [i, r] of refs.entries()) {
        const [, p] = plans[i]!;
        const w = await getWorkload(env.api, r);
        if (r.namespace === single && r.name === 'other') {
          assert.equal(
            imagesOf(w).app,
            rewrittenRef(env, b),
            `${describeRef(r)} was not named: still rewritten`,
          );
          continue;
        }
        const originals = Object.fromEntries(
          Object.entries({ ...p.initContainers, ...p.containers }).map(([c, s]) => [c, sourceRef(s)]),
        );
        assert.deepEqual(imagesOf(w), originals, `${describeRef(r)}: originals back`);
        assert.equal(
          w.metadata.annotations?.[ORIGINAL_IMAGES],
          undefined,
          `${describeRef(r)}: annotation removed`,
        );
        await waitRolledOut(env.api, r);
      }
    }),
  );
}
