// `lifeboat run --dry-run`: Events say what would be copied and rewritten; nothing is written to
// the workloads, no ImageBackup is created, and the backup registry holds what it held.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { sourceImages } from './fixtures.ts';
import { createPlanned, type Planned } from './rewrite.scenarios.ts';
import { craneCatalog } from './registry-check.ts';
import { backupRepository, imageBackups, sleep, sourceRef, type Suite } from './suite.ts';
import { eventsFor, getWorkload, waitEvent, waitRolledOut, type WorkloadRef } from './workloads.ts';

export function dryRunScenarios(suite: Suite): void {
  it(
    'with --dry-run records WouldBackUp and WouldRewrite and changes neither the API nor the backup registry',
    suite.audited(async () => {
      const env = suite.env();
      // The shared process would do the work for real: it must not run meanwhile.
      await suite.stopLifeboat();
      const { app, init } = await sourceImages(env.publicSource, 'dry', ['app', 'init']);
      const ns = await env.namespace('dry-run');
      const plans: Planned[] = [
        { kind: 'Deployment', name: 'web', containers: { app: app }, initContainers: { setup: init } },
        { kind: 'CronJob', name: 'job', containers: { job: app } },
      ];
      const refs: WorkloadRef[] = [];
      for (const p of plans) refs.push(await createPlanned(env, ns, p));
      for (const r of refs) await waitRolledOut(env.api, r);
      const versions = async () =>
        Promise.all(refs.map(async (r) => (await getWorkload(env.api, r)).metadata.resourceVersion));
      const versionsBefore = await versions();
      const catalogBefore = await craneCatalog(env.backup);
      const backupsBefore = (await imageBackups(env)).map((b) => b.metadata.name);

      const dry = env.startLifeboat('--dry-run');
      await dry.address();
      const rewrite = await waitEvent(env.api, refs[0]!, EventReasons.WouldRewrite);
      for (const [container, s] of [
        ['app', app],
        ['setup', init],
      ] as const) {
        assert.ok(rewrite.note?.includes(container), `WouldRewrite names ${container}: ${rewrite.note}`);
        assert.ok(
          rewrite.note?.includes(`${backupRepository(env, s.registry, s.path)}:1`),
          `WouldRewrite names the target of ${container}: ${rewrite.note}`,
        );
      }
      await waitEvent(env.api, refs[1]!, EventReasons.WouldRewrite);
      const wouldBackUp = await eventsFor(env.api, ns, EventReasons.WouldBackUp);
      for (const s of [app, init]) {
        assert.ok(
          wouldBackUp.some((e) => e.note?.includes(sourceRef(s))),
          `a WouldBackUp Event names ${sourceRef(s)}: ${JSON.stringify(wouldBackUp.map((e) => e.note))}`,
        );
      }
      // Time for a write, were there one, to land.
      await sleep(3_000);
      assert.equal(await dry.stop('SIGTERM'), 0, dry.stderr());

      assert.deepEqual(await versions(), versionsBefore, 'no workload was written');
      assert.deepEqual(
        (await imageBackups(env)).map((b) => b.metadata.name),
        backupsBefore,
        'no ImageBackup was created',
      );
      assert.deepEqual(
        await craneCatalog(env.backup),
        catalogBefore,
        'nothing was pushed to the backup registry',
      );
      assert.deepEqual(await eventsFor(env.api, ns, EventReasons.ImagesMovedToBackup), []);
    }),
  );
}
