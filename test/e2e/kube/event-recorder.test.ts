import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEventRecorder, type EventRecorder, type KubeObject } from '../../../src/kube/index.ts';
import type { EventBody } from '../../../src/kube/event-body.ts';
import { RESOURCES, resourcePath } from '../../../src/kube/resource.ts';
import { testCluster, type TestCluster } from './cluster.ts';

describe('event recorder against the real API server', () => {
  let c: TestCluster;
  const recorders: EventRecorder[] = [];
  before(async () => {
    c = await testCluster();
  });
  after(async () => {
    for (const r of recorders) await r.close();
    await c.close();
  });
  const recorder = () => {
    const r = createEventRecorder({ api: c.api, identity: 'e2e-instance' });
    recorders.push(r);
    return r;
  };
  const eventsAbout = async (namespace: string, name: string) => {
    const list = await c.api.requestJson<{ items: EventBody[] }>({
      path: resourcePath(RESOURCES.events, { namespace }),
      query: { fieldSelector: `regarding.name=${name}` },
    });
    return list.items;
  };
  const configMap = async (namespace: string, name: string) =>
    c.api.requestJson<KubeObject>({
      method: 'POST',
      path: resourcePath(RESOURCES.configMaps, { namespace }),
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
    });

  it('aggregates five repeats into one Event with a series', async () => {
    const ns = await c.namespace('ev-series');
    const cm = await configMap(ns, 'subject');
    const r = recorder();
    for (let i = 0; i < 5; i++) {
      r.record(cm, { type: 'Normal', reason: 'BackupStarted', action: 'Backup', note: 'copying nginx' });
    }
    await r.flush();
    const events = await eventsAbout(ns, 'subject');
    assert.equal(events.length, 1, 'one Event object');
    const e = events[0]!;
    assert.ok((e.series?.count ?? 0) >= 2, `series.count is ${e.series?.count}`);
    assert.equal(e.series?.count, 5, 'flush sent every occurrence');
    assert.match(e.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(
      {
        namespace: e.metadata.namespace,
        reportingController: e.reportingController,
        reportingInstance: e.reportingInstance,
        action: e.action,
        reason: e.reason,
        note: e.note,
        type: e.type,
        regarding: e.regarding,
      },
      {
        namespace: ns,
        reportingController: 'lifeboat.dev/lifeboat',
        reportingInstance: 'e2e-instance',
        action: 'Backup',
        reason: 'BackupStarted',
        note: 'copying nginx',
        type: 'Normal',
        regarding: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: 'subject',
          namespace: ns,
          uid: cm.metadata.uid,
          resourceVersion: cm.metadata.resourceVersion,
        },
      },
    );
  });

  it('records a Warning with a note truncated to the API limit, and cluster-scoped objects in default', async () => {
    const ns = await c.namespace('ev-warning');
    const cm = await configMap(ns, 'warned');
    const r = recorder();
    const long = 'é'.repeat(700); // 1400 bytes of UTF-8
    r.record(cm, { type: 'Warning', reason: 'BackupFailed', action: 'Backup', note: long });
    const nsObject = await c.api.requestJson<KubeObject>({
      path: resourcePath(RESOURCES.namespaces, { name: ns }),
    });
    r.record(
      { ...nsObject, apiVersion: 'v1', kind: 'Namespace' },
      { type: 'Normal', reason: 'PullSecretConflict', action: 'SyncPullSecret' },
    );
    await r.flush();
    const [warning] = await eventsAbout(ns, 'warned');
    assert.equal(warning?.type, 'Warning');
    assert.equal(warning?.note, 'é'.repeat(512), 'the longest whole-character prefix within 1024 bytes');
    const inDefault = await eventsAbout('default', ns);
    assert.equal(inDefault.length, 1);
    assert.equal(inDefault[0]?.regarding.kind, 'Namespace');
    await c.api.requestJson({
      method: 'DELETE',
      path: resourcePath(RESOURCES.events, { namespace: 'default', name: inDefault[0].metadata.name }),
    });
  });
});
