// Shared informers on an in-memory collection server (the real API server is in
// test/e2e/kube/shared-informers.test.ts).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { KubeRequester, RawRequestOptions, RawResponse } from './api-client.ts';
import { INDEX, indexByNamespace } from './indexer.ts';
import { RESOURCES } from './resource.ts';
import { createSharedInformers, informerName, type SharedInformers } from './shared-informers.ts';
import type { KubeObject } from './store.ts';

/**
 * Serves LIST from `objects` and keeps every WATCH open until aborted; `emit` sends an event to
 * every open watch. `holdLists` makes LISTs wait until released.
 */
function fakeServer(objects: KubeObject[] = []) {
  const requests: RawRequestOptions[] = [];
  const watches = new Set<PassThrough>();
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const api: KubeRequester = {
    async requestJson<T>(req: RawRequestOptions): Promise<T> {
      requests.push(req);
      if (held) {
        // Like a real request: an abort ends the wait.
        const signal = req.signal;
        await Promise.race([
          held,
          new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error))),
        ]);
      }
      return {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items: objects,
      } as T;
    },
    request(req: RawRequestOptions): Promise<RawResponse> {
      requests.push(req);
      const body = new PassThrough();
      watches.add(body);
      const end = () => {
        watches.delete(body);
        body.destroy(req.signal?.reason as Error);
      };
      if (req.signal?.aborted) end();
      else req.signal?.addEventListener('abort', end, { once: true });
      const res = Object.assign(body, { text: () => Promise.resolve(''), dump: () => Promise.resolve() });
      return Promise.resolve({ status: 200, headers: {}, body: res });
    },
  };
  return {
    api,
    lists: () => requests.filter((r) => r.query?.watch === undefined).length,
    watches: () => requests.filter((r) => r.query?.watch !== undefined).length,
    open: () => watches.size,
    emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) {
      for (const w of watches) w.write(JSON.stringify({ type, object }) + '\n');
    },
    holdLists() {
      held = new Promise((resolve) => (release = resolve));
    },
    releaseLists: () => release?.(),
  };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await yieldToLoop();
  }
  assert.fail(`timed out waiting for ${what}`);
}

const cm = (name: string, rv: string, namespace = 'a', data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, resourceVersion: rv },
  data,
});

function factory(t: TestContext, api: KubeRequester): SharedInformers {
  const f = createSharedInformers({ api });
  t.after(() => f.stop());
  return f;
}

describe('shared informers', () => {
  it('gives every caller of one collection the same informer: one LIST, one WATCH', async (t) => {
    const server = fakeServer([cm('x', '1')]);
    const f = factory(t, server.api);
    const a = f.informerFor(RESOURCES.configMaps);
    const b = f.informerFor(RESOURCES.configMaps, {});
    const inNs = f.informerFor(RESOURCES.configMaps, { namespace: 'a' });
    const labelled = f.informerFor(RESOURCES.configMaps, { labelSelector: 'app=x' });
    assert.equal(a, b);
    assert.notEqual(a, inNs);
    assert.notEqual(a, labelled);
    assert.equal(inNs.name, 'configmaps.v1 namespace=a');
    assert.equal(
      informerName(RESOURCES.deployments, { fieldSelector: 'f=1' }),
      'deployments.v1.apps fields=f=1',
    );
    assert.equal(f.hasSynced(), false);
    f.start();
    f.start();
    assert.equal(await f.waitForCacheSync(), true);
    assert.equal(f.hasSynced(), true);
    await until('three watches', () => server.watches() === 3);
    assert.equal(server.lists(), 3, 'one LIST per distinct collection');
    assert.equal(a.get('a/x')?.metadata.resourceVersion, '1');
    assert.equal(f.informerFor(RESOURCES.configMaps), a, 'still the same after start');
  });

  it('refuses a second transform for one informer and a namespace for a cluster-scoped resource', (t) => {
    const f = factory(t, fakeServer().api);
    const keepName = (o: KubeObject) => ({ metadata: { name: o.metadata.name } });
    f.informerFor(RESOURCES.secrets, { transform: keepName });
    assert.equal(f.informerFor(RESOURCES.secrets, { transform: keepName }).name, 'secrets.v1');
    assert.throws(() => f.informerFor(RESOURCES.secrets), TypeError);
    assert.throws(() => f.informerFor(RESOURCES.namespaces, { namespace: 'x' }), TypeError);
  });

  it('starts an informer requested after start at once, and stops them all', async (t) => {
    const server = fakeServer([cm('x', '1')]);
    const f = factory(t, server.api);
    f.start();
    const late = f.informerFor(RESOURCES.configMaps);
    assert.equal(await late.synced, true);
    await until('a watch', () => server.open() === 1);
    await f.stop();
    assert.equal(server.open(), 0, 'watch closed');
    assert.throws(() => f.informerFor(RESOURCES.pods), /stopped/);
  });

  it('updates indexes before handlers run, and replays the cache to late handlers', async (t) => {
    const server = fakeServer([cm('x', '1', 'a')]);
    const f = factory(t, server.api);
    const inf = f.informerFor(RESOURCES.configMaps);
    inf.addIndex(INDEX.namespace, indexByNamespace);
    inf.addIndex('user', (o) => Object.keys((o as KubeObject & { data?: object }).data ?? {}));
    const seenInHandler: string[][] = [];
    inf.addHandlers({
      onAdd: (o) => seenInHandler.push(inf.indexKeys(INDEX.namespace, o.metadata.namespace ?? '')),
    });
    f.start();
    assert.equal(await f.waitForCacheSync(), true);
    server.emit('ADDED', cm('y', '2', 'b', { alice: '' }));
    await until('y cached', () => inf.get('b/y') !== undefined);
    assert.deepEqual(seenInHandler, [['a/x'], ['b/y']], 'the handler saw each object in the index already');

    server.emit('MODIFIED', cm('y', '3', 'b', { bob: '' }));
    await until('y updated', () => inf.get('b/y')?.metadata.resourceVersion === '3');
    assert.deepEqual(inf.indexKeys('user', 'alice'), []);
    assert.deepEqual(inf.indexKeys('user', 'bob'), ['b/y']);
    server.emit('DELETED', cm('y', '4', 'b', { bob: '' }));
    await until('y deleted', () => inf.get('b/y') === undefined);
    assert.deepEqual(inf.indexKeys('user', 'bob'), []);
    assert.deepEqual(
      inf.byIndex(INDEX.namespace, 'a').map((o) => o.metadata.name),
      ['x'],
    );

    const replayed: string[] = [];
    const remove = inf.addHandlers({
      onAdd: (o) => {
        replayed.push(o.metadata.name);
        throw new Error('a throwing handler does not stop the replay');
      },
    });
    server.emit('ADDED', cm('z', '5', 'a'));
    await until('z replayed to the late handler', () => replayed.length === 2);
    assert.deepEqual(replayed, ['x', 'z']);
    remove();
  });

  it('waitForCacheSync answers false when the signal aborts or the factory stops first', async (t) => {
    const server = fakeServer();
    server.holdLists();
    const f = factory(t, server.api);
    f.informerFor(RESOURCES.configMaps);
    f.start();
    const abort = new AbortController();
    const waiting = f.waitForCacheSync(abort.signal);
    abort.abort();
    assert.equal(await waiting, false);
    assert.equal(await f.waitForCacheSync(abort.signal), false, 'already aborted');
    const untilStop = f.waitForCacheSync();
    await f.stop();
    server.releaseLists();
    assert.equal(await untilStop, false);
  });
});
