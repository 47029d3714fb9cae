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
import { after, before, describe, it } from 'node:test';
import type { LifeboatProcess } from '../lifeboat-process.ts';
import { startAuditor } from './auditor.ts';
import { startBackupEnv, type BackupEnv } from './backup-env.ts';
import {
  assertBackedUpAndRewritten,
  assertNeverFailed,
  assertNeverWrittenAgain,
  assertVerifyProtects,
  collectBackupRegistry,
  containersOf,
  damageOneLayer,
  drillPlans,
  lateWorkloads,
  pushDrillImages,
  rollOut,
  sourcesVanish,
} from './disaster.scenario.ts';
import { watchImageBackups } from './drill.ts';
import { startGcBackupRegistry, type GcBackupRegistry } from './gc-backup-registry.ts';
import { createSuite } from './suite.ts';

/** Source checks every 2 s (the default is 6 h), so what they record shows within the drill. */
const LIFEBOAT_FLAGS = ['--source-check-interval', '2s'] as const;

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
      const started = Date.now();
      const step = (what: string): void =>
        t.diagnostic(`drill: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

      const images = await pushDrillImages(e);
      const plans = drillPlans(images);
      const first = await rollOut(e, await e.namespace('drill'), plans);
      const watch = await watchImageBackups(e.api);
      const complete = startAuditor({ api: e.api, backup: e.backup, intervalMs: 500, complete: true });
      let completeStopped = false;
      let lifeboat: LifeboatProcess = e.startLifeboat(...LIFEBOAT_FLAGS);
      try {
        await lifeboat.address();
        // 1.
        const { names, running } = await assertBackedUpAndRewritten(e, watch, images, first);
        step('4 workloads of every kind backed up and rewritten');
        // 2.
        await sourcesVanish(e, watch, images, names);
        step('a source tag deleted (SourceGone), one moved (SourceChanged), the source registry stopped');
        // 3.
        await lifeboat.stop('SIGKILL');
        lifeboat = e.startLifeboat(...LIFEBOAT_FLAGS);
        await lifeboat.address();
        step('lifeboat SIGKILLed and started again');
        // 4.
        const { late } = await lateWorkloads(e, plans, running);
        step('4 new never-Ready workloads in 2 new namespaces rewritten to the backups');
        // 5.
        const deletions = await collectBackupRegistry(e, gc!, complete);
        step(`backup registry collected with --delete-untagged (${deletions} deletion lines), served again`);
        // 6.
        const containers = containersOf([...first, ...late]);
        await assertVerifyProtects(t, e, containers);
        await assertNeverWrittenAgain(e, running, late, 'after the drill');
        await assertNeverFailed(e, watch, names);
        completeStopped = true;
        const incomplete = await complete.stop();
        t.diagnostic(
          `drill: complete-image auditor: ${complete.rounds()} rounds, ${complete.checks()} checks`,
        );
        assert.deepEqual(incomplete, [], 'no workload ever referenced an incomplete backup image');
        // 7.
        const layer = await damageOneLayer(t, e, watch, images.web, names.web, containers);
        step(`layer ${layer} of the web backup deleted: verify exits 1, the backup Degraded`);
        await assertNeverWrittenAgain(e, running, late, 'after the damage');
        await assertNeverFailed(e, watch, names, 'web');
      } catch (error) {
        // What lifeboat warned about last (JSON log lines of level warn and above), for the failure.
        for (const line of lifeboat.logs.filter((l) => l.level >= 40).slice(-10)) {
          t.diagnostic(`drill: lifeboat warned: ${JSON.stringify(line)}`);
        }
        throw error;
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
