// Informer behaviour that needs no API server (the rest is in test/e2e/kube/informer*.test.ts).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { KubeRequester } from './api-client.ts';
import { createInformer, dropNoise, type Informer } from './informer.ts';
import { RESOURCES } from './resource.ts';
import type { KubeObject } from './store.ts';

/** Lists one ConfigMap; every watch stays open until aborted. */
const oneConfigMap: KubeRequester = {
  requestJson: <T>() =>
    Promise.resolve({
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '5' },
      items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } }],
    } as T),
  request: (req) =>
    new Promise((_resolve, reject) => {
      const signal = req.signal;
      if (signal?.aborted) return reject(signal.reason as Error);
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    }),
};

describe('dropNoise', () => {
  it('drops managedFields and last-applied, and keeps the annotations map even when it is left empty', () => {
    const only: KubeObject = {
      metadata: {
        name: 'a',
        managedFields: [{}],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
    };
    assert.deepEqual(dropNoise(only), { metadata: { name: 'a', annotations: {} } });
    const more: KubeObject = {
      metadata: {
        name: 'b',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
      },
    };
    assert.deepEqual(dropNoise(more).metadata.annotations, { keep: 'me' });
  });
});

describe('informer', () => {
  it('arms no resync timer when a handler of the first list stops it', async () => {
    const resyncPeriodMs = 20;
    let resyncs = 0;
    let adds = 0;
    let stopped: Promise<void> | undefined;
    const informer: Informer<KubeObject> = createInformer({
      api: oneConfigMap,
      resource: RESOURCES.configMaps,
      resyncPeriodMs,
      handlers: {
        onAdd: () => {
          adds += 1;
          stopped = informer.stop();
        },
        onUpdate: () => void (resyncs += 1),
      },
    });
    informer.start();
    // stop() came from a handler of the first list, before it completed: synced says false.
    assert.equal(await informer.synced, false, 'stopped before the first list completed');
    assert.equal(adds, 1, 'onAdd ran for the one listed object');
    await stopped;
    await sleep(5 * resyncPeriodMs);
    assert.equal(resyncs, 0, 'no resync after stop');
  });
});
