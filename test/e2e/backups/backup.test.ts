// The backup workflow end to end (issue 9, SPEC §1.4): `lifeboat run` as a child process against
// its own control plane with kwok nodes (pods become Ready) and three real registries (backup-env.ts).
// One environment for the whole file; scenarios live in *.scenarios.ts and run in the order below;
// each makes namespaces and images of its own. An auditor (auditor.ts) runs beside every scenario.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushImage, waitFor } from '../../../src/devenv/index.ts';
import { startBackupEnv, type BackupEnv } from './backup-env.ts';
import { startAuditor } from './auditor.ts';
import { dryRunScenarios } from './dry-run.scenarios.ts';
import { rewriteScenarios } from './rewrite.scenarios.ts';
import { scaleScenarios } from './scale.scenarios.ts';
import { createSuite } from './suite.ts';
import { createWorkload, workloads } from './workloads.ts';
import { writersScenarios } from './writers.scenarios.ts';

describe('backup workflow (lifeboat run as a process)', () => {
  let env: BackupEnv | undefined;
  const suite = createSuite(() => {
    if (!env) throw new Error('the backup environment did not start');
    return env;
  });

  before(async () => {
    env = await startBackupEnv();
  });
  after(async () => {
    await env?.stop();
  });

  it('the auditor reports a workload whose backup image is missing, and not one whose image is there', async () => {
    const e = suite.env();
    const present = await pushImage(e.backup, 'lifeboat/audit/present:1', { layers: 1, layerSize: 1024 });
    const ns = await e.namespace('audit');
    await createWorkload(e.api, ns, {
      kind: 'Deployment',
      name: 'present',
      containers: [{ name: 'app', image: `${present.ref}@${present.digest}` }],
    });
    await createWorkload(e.api, ns, {
      kind: 'CronJob',
      name: 'missing',
      containers: [{ name: 'app', image: `${e.backup.host}/lifeboat/audit/missing:1` }],
    });
    const wrongDigest = `${e.backup.host}/lifeboat/audit/present:1@sha256:${'0'.repeat(64)}`;
    await createWorkload(e.api, ns, {
      kind: 'StatefulSet',
      name: 'wrong-digest',
      containers: [{ name: 'app', image: wrongDigest }],
    });
    const auditor = startAuditor({ api: e.api, backup: e.backup, intervalMs: 50 });
    await waitFor(() => auditor.rounds() >= 3, { what: 'three audit rounds', timeoutMs: 30_000 });
    const violations = await auditor.stop();
    assert.deepEqual([...new Set(violations.map((v) => v.workload))].sort(), [
      `CronJob ${ns}/missing`,
      `StatefulSet ${ns}/wrong-digest`,
    ]);
    for (const [kind, name] of [
      ['Deployment', 'present'],
      ['CronJob', 'missing'],
      ['StatefulSet', 'wrong-digest'],
    ] as const) {
      await workloads(e.api, kind).delete(name, { namespace: ns });
    }
  });

  dryRunScenarios(suite);
  rewriteScenarios(suite);
  writersScenarios(suite);
  scaleScenarios(suite);
});
