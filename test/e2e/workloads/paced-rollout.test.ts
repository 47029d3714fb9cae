// The paced first rollout (issue 18) against a real control plane, with `lifeboat run` as a child
// process: `--max-rewrites-per-minute=6` and 9 rolled-out Deployments of one image in a namespace
// the `--namespace-selector` selects. Each rewrite is a rollout; at no point are more of them
// rewritten than the bucket allows (burst + rate × time since the process started: an upper bound
// on behaviour, never a timing assertion), the others are reported as due (the gauge on /metrics
// and `lifeboat status`), and eventually all are rewritten. A namespace outside the selector is left
// alone (no rewrite, no pull secret) until it is labelled into it, and loses the pull secret again
// when the label goes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import { RESOURCES, resourceClient } from '../../../src/kube/index.ts';
import { PULL_SECRET_COPY, startBackupEnv, WAIT, type BackupEnv } from '../backups/backup-env.ts';
import { sourceImage } from '../backups/fixtures.ts';
import { rewrittenRef, sourceRef } from '../backups/suite.ts';
import {
  allImagesUnder,
  createWorkload,
  imagesOf,
  waitRolledOut,
  waitWorkload,
  workloads,
  type WorkloadRef,
} from '../backups/workloads.ts';
import { lifeboat } from '../cli/run-cli.ts';
import type { LifeboatProcess } from '../lifeboat-process.ts';

const RATE = 6;
const SELECTOR = 'lifeboat.dev/enabled=true';
const ENABLED = { 'lifeboat.dev/enabled': 'true' };
const DEPLOYMENTS = 9;
/** 9 − 6 paced rewrites, one every 10 s, plus start-up and copying, with room for a loaded machine. */
const ALL_REWRITTEN_MS = 120_000;

describe('paced first rollout (--max-rewrites-per-minute, --namespace-selector)', () => {
  let env: BackupEnv | undefined;
  before(async () => {
    env = await startBackupEnv();
  });
  after(async () => {
    await env?.stop();
  });

  it('rewrites no faster than the bucket, reports the rest as due, and leaves unselected namespaces alone until labelled', async (t) => {
    const e = env!;
    const image = await sourceImage(e.publicSource, 'paced/app', '1');
    const enabled = await e.namespace('paced');
    const outside = await e.namespace('paced-outside');
    const namespaces = resourceClient(e.api, RESOURCES.namespaces);
    await namespaces.mergePatch(enabled, { metadata: { labels: ENABLED } });
    const refs: WorkloadRef[] = [];
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const name = `w-${i}`;
      await createWorkload(e.api, enabled, {
        kind: 'Deployment',
        name,
        containers: [{ name: 'app', image: sourceRef(image) }],
      });
      refs.push({ kind: 'Deployment', namespace: enabled, name });
    }
    const lone: WorkloadRef = { kind: 'Deployment', namespace: outside, name: 'lone' };
    await createWorkload(e.api, outside, {
      kind: 'Deployment',
      name: lone.name,
      containers: [{ name: 'app', image: sourceRef(image) }],
    });
    for (const r of [...refs, lone]) await waitRolledOut(e.api, r);

    const started = performance.now();
    const run: LifeboatProcess = e.startLifeboat(
      `--max-rewrites-per-minute=${RATE}`,
      `--namespace-selector=${SELECTOR}`,
    );
    const metricsUrl = `http://${await run.address()}/metrics`;
    const deployments = workloads(e.api, 'Deployment');
    const rewritten = async (): Promise<number> => {
      const list = await deployments.listAll({ namespace: enabled });
      return list.filter((w) => allImagesUnder(w, `${e.backup.host}/`)).length;
    };
    /** Every observation is checked against what the bucket can have given out by then. */
    const observed: string[] = [];
    const checkBound = async (): Promise<number> => {
      const n = await rewritten();
      const allowed = RATE + (RATE * (performance.now() - started)) / 60_000;
      observed.push(`${n} ≤ ${allowed.toFixed(2)}`);
      assert.ok(n <= allowed, `${n} rewritten, but the bucket allows ${allowed.toFixed(2)} by now`);
      return n;
    };
    const due = async (): Promise<number> => {
      const text = await (await fetch(metricsUrl)).text();
      const line = /^lifeboat_workloads_rewrite_due (\d+)$/m.exec(text);
      assert.ok(line, 'lifeboat_workloads_rewrite_due is exported');
      return Number(line[1]);
    };

    // The burst goes at once, once the backup is Ready; the rest wait for the bucket.
    await waitFor(async () => (await checkBound()) >= RATE, {
      what: `the first ${RATE} rewrites`,
      timeoutMs: ALL_REWRITTEN_MS,
      intervalMs: 200,
    });
    await waitFor(async () => (await due()) > 0, { what: 'a rewrite reported due on /metrics', ...WAIT });
    const beforeStatus = await checkBound();
    assert.ok(beforeStatus < DEPLOYMENTS, 'some are still waiting');

    // `lifeboat status` (its own process: it cannot see the bucket) shows them as RewriteDue, and the
    // namespace outside the selector as excluded by it.
    const status = await lifeboat(
      e.commandArgs(
        'status',
        '--backup-registry',
        e.backupLocation,
        '--exclude-namespaces',
        'default,backups-excluded',
        `--namespace-selector=${SELECTOR}`,
        '-o',
        'json',
      ),
    );
    assert.equal(status.code, 0, status.stderr);
    const rows = (
      JSON.parse(status.stdout) as {
        workloads: { namespace: string; name: string; state: string; reason: string }[];
      }
    ).workloads;
    const states = rows.filter((w) => w.namespace === enabled).map((w) => w.state);
    assert.equal(states.length, DEPLOYMENTS);
    assert.ok(
      states.every((s) => s === 'Rewritten' || s === 'RewriteDue'),
      `each is rewritten or due: ${states.join(', ')}`,
    );
    assert.ok(states.includes('RewriteDue'), 'the waiting ones are due');
    const loneRow = rows.find((w) => w.namespace === outside);
    assert.equal(loneRow?.state, 'Excluded');
    assert.match(loneRow.reason, /--namespace-selector lifeboat\.dev\/enabled=true/);

    await waitFor(async () => (await checkBound()) === DEPLOYMENTS, {
      what: `all ${DEPLOYMENTS} rewritten`,
      timeoutMs: ALL_REWRITTEN_MS,
      intervalMs: 500,
    });
    for (const r of refs) {
      const w = await waitWorkload(e.api, r, 'rewritten', (x) => allImagesUnder(x, `${e.backup.host}/`));
      assert.deepEqual(imagesOf(w), { app: rewrittenRef(e, image) });
    }
    await waitFor(async () => (await due()) === 0, { what: 'nothing due once all are rewritten', ...WAIT });
    t.diagnostic(`rewritten counts against the bound: ${observed.filter((_, i) => i % 10 === 0).join('; ')}`);

    // Outside the selector: not rewritten, no pull secret — until the namespace is labelled in.
    const secrets = resourceClient(e.api, RESOURCES.secrets);
    assert.deepEqual(imagesOf(await deployments.get(lone.name, { namespace: outside })), {
      app: sourceRef(image),
    });
    assert.equal(await secrets.find(PULL_SECRET_COPY, { namespace: outside }), undefined);
    await namespaces.mergePatch(outside, { metadata: { labels: ENABLED } });
    await waitWorkload(e.api, lone, 'rewritten once labelled in', (w) =>
      allImagesUnder(w, `${e.backup.host}/`),
    );
    await waitFor(async () => (await secrets.find(PULL_SECRET_COPY, { namespace: outside })) !== undefined, {
      what: `${PULL_SECRET_COPY} in ${outside} once labelled in`,
      ...WAIT,
    });
    // Labelled out again: what lifeboat added there is taken out (the workload keeps its backups:
    // putting originals back is `lifeboat restore`'s).
    await namespaces.mergePatch(outside, { metadata: { labels: { 'lifeboat.dev/enabled': null } } });
    await waitFor(async () => (await secrets.find(PULL_SECRET_COPY, { namespace: outside })) === undefined, {
      what: `${PULL_SECRET_COPY} removed from ${outside} once labelled out`,
      ...WAIT,
    });
    assert.equal(run.child.exitCode, null, `lifeboat run is still up; stderr: ${run.stderr()}`);
  });
});
