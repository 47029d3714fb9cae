import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionReport } from '../controllers/protection/index.ts';
import { progressLine, verifyJson, verifyTable } from './verify-output.ts';

const D = `sha256:${'a'.repeat(64)}`;
const L = `sha256:${'b'.repeat(64)}`;

const report: ProtectionReport = {
  shallow: false,
  summary: { protected: 1, exposed: 1, excluded: 1 },
  rows: [
    {
      namespace: 'shop',
      kind: 'Deployment',
      name: 'web',
      container: 'app',
      init: false,
      image: `backup.example.com/lifeboat/docker.io/library/nginx@${D}`,
      verdict: 'protected',
      reason: `${D}: complete and anchored (1 manifest, 3 blobs)`,
    },
    {
      namespace: 'shop',
      kind: 'Deployment',
      name: 'web',
      container: 'sidecar',
      init: false,
      image: 'internal.example.com/sidecar:1',
      verdict: 'excluded',
      reason: 'registry not in --source-registries',
    },
    {
      namespace: 'shop',
      kind: 'CronJob',
      name: 'report',
      container: 'job',
      init: false,
      image: 'docker.io/library/busybox:1',
      verdict: 'exposed',
      reason: `backup damaged: layer ${L} missing`,
    },
  ],
};

describe('verify output', () => {
  it('prints one aligned row per container, then the summary line', () => {
    assert.equal(
      verifyTable(report),
      [
        'NAMESPACE   WORKLOAD         CONTAINER   VERDICT     REASON',
        `shop        deployment/web   app         protected   ${D}: complete and anchored (1 manifest, 3 blobs)`,
        'shop        deployment/web   sidecar     excluded    registry not in --source-registries',
        `shop        cronjob/report   job         exposed     backup damaged: layer ${L} missing`,
        '',
        '1 protected, 1 exposed, 1 excluded',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing was found, and when blobs were not checked', () => {
    const empty = { rows: [], summary: { protected: 0, exposed: 0, excluded: 0 }, shallow: true };
    assert.equal(
      verifyTable(empty),
      'No workloads found.\n\n0 protected, 0 exposed, 0 excluded (manifests only: --shallow)\n',
    );
  });

  it('-o json: ok says whether anything is exposed', () => {
    const doc = JSON.parse(verifyJson(report)) as { ok: boolean; containers: unknown[]; summary: unknown };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.summary, report.summary);
    assert.deepEqual(doc.containers, report.rows);
    const fine = { ...report, summary: { protected: 1, exposed: 0, excluded: 1 } };
    assert.equal((JSON.parse(verifyJson(fine)) as { ok: boolean }).ok, true);
  });

  it('the progress line: drawn in place on a terminal at most every 100 ms and at the end, then erased', () => {
    const written: string[] = [];
    let clock = 1000;
    const line = progressLine({ isTTY: true, write: (t) => written.push(t) }, () => clock);
    line.update({ done: 1, total: 10 });
    clock += 50;
    line.update({ done: 2, total: 10 });
    clock += 60;
    line.update({ done: 3, total: 10 });
    line.update({ done: 10, total: 10 });
    line.done();
    assert.deepEqual(written, [
      '\rverify: 1/10 registry checks\u001b[K',
      '\rverify: 3/10 registry checks\u001b[K',
      '\rverify: 10/10 registry checks\u001b[K',
      '\r\u001b[K',
    ]);
  });

  it('no progress line when stderr is no terminal', () => {
    const written: string[] = [];
    const line = progressLine({ isTTY: false, write: (t) => written.push(t) });
    line.update({ done: 1, total: 1 });
    line.done();
    assert.deepEqual(written, []);
  });
});
