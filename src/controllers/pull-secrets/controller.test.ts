// The pull-secret controller's loop on in-memory caches and a recording API: handlers enqueue the
// namespace, a reconcile reads only the caches (no GET), a lost race comes back through the
// controller's rate limiter, and the source is reported once per problem. The real informers, the
// API server and the process are test/e2e/pull-secrets/'s.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import {
  createIndexer,
  KubeApiError,
  type InformerHandlers,
  type KubeObject,
  type KubeRequester,
  type RawRequestOptions,
  type Resource,
  type SharedInformer,
  type SharedInformers,
} from '../../kube/index.ts';
import { createFakeEventRecorder } from '../../kube/event-recorder-fake.ts';
import type { InformerRequest } from '../../kube/shared-informers.ts';
import { createStore } from '../../kube/store.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { namespacePassword } from '../api/namespace-credential.ts';
import { createPullSecretDistribution } from './controller.ts';

const SOURCE = { namespace: 'lifeboat-system', name: 'backup-pull' };
const SOURCE_SECRET: SecretObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { ...SOURCE, uid: 's1', resourceVersion: '1' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
};

/** A cache that is already synced; `set`/`remove` deliver events as an informer would. */
function fakeInformer<T extends KubeObject>(objects: readonly T[]) {
  const store = createStore<T>();
  for (const o of objects) store.set(o);
  const indexer = createIndexer(store);
  const handlers: InformerHandlers<T>[] = [indexer.handlers];
  const informer = {
    get: (key: string) => store.get(key),
    list: () => store.list(),
    keys: () => store.keys(),
    get size() {
      return store.size;
    },
    addIndex: (name: string, fn: Parameters<typeof indexer.addIndex>[1]) => indexer.addIndex(name, fn),
    byIndex: (name: string, value: string) => indexer.byIndex(name, value),
    synced: Promise.resolve(true),
    hasSynced: () => true,
    addHandlers(h: InformerHandlers<T>) {
      handlers.push(h);
      for (const o of store.list()) h.onAdd?.(o);
      return () => undefined;
    },
  } as unknown as SharedInformer<T>;
  return {
    informer,
    set(obj: T) {
      const old = store.set(obj);
      for (const h of handlers) {
        if (old) h.onUpdate?.(old, obj);
        else h.onAdd?.(obj);
      }
    },
  };
}

/** The four caches the controller asks for, told apart by resource and request. */
function caches(o: {
  namespaces: NamespaceObject[];
  accounts: ServiceAccountObject[];
  copies?: SecretObject[];
  source?: SecretObject;
}) {
  const namespaces = fakeInformer(o.namespaces);
  const copies = fakeInformer(o.copies ?? []);
  const sources = fakeInformer(o.source ? [o.source] : []);
  const accounts = fakeInformer(o.accounts);
  const informers: Pick<SharedInformers, 'informerFor'> = {
    informerFor: <T extends KubeObject>(resource: Resource, request?: InformerRequest<T>) => {
      const which =
        resource.plural === 'namespaces'
          ? namespaces
          : resource.plural === 'serviceaccounts'
            ? accounts
            : request?.namespace === SOURCE.namespace
              ? sources
              : copies;
      return which.informer as unknown as SharedInformer<T>;
    },
  };
  return { informers, namespaces, copies, sources, accounts };
}

/** Records `METHOD path` of every request; `answer` may throw an API error for one. */
function recordingApi(answer: (req: RawRequestOptions, n: number) => void = () => undefined) {
  const actions: string[] = [];
  const api: KubeRequester = {
    request: () => Promise.reject(new Error('no streams here')),
    // eslint-disable-next-line @typescript-eslint/require-await -- async turns a throw into a rejection
    requestJson: async <T>(req: RawRequestOptions) => {
      actions.push(`${req.method} ${req.path}`);
      answer(req, actions.length);
      return {} as T;
    },
  };
  return { api, actions };
}

/** Polls `done` on the event loop (no time is asserted); bounded. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3_000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

const ns = (name: string): NamespaceObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const sa = (namespace: string): ServiceAccountObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'default', namespace, resourceVersion: '5' },
});

function distribution(c: ReturnType<typeof caches>, api: KubeRequester) {
  const events = createFakeEventRecorder();
  const registry = new Registry();
  const d = createPullSecretDistribution({
    api,
    informers: c.informers,
    source: SOURCE,
    secretName: 'lifeboat-pull',
    serviceAccounts: ['default'],
    excludedNamespaces: new Set(['kube-system', 'lifeboat-system']),
    events,
    registry,
  });
  return { d, events, registry };
}

describe('pull-secret controller', () => {
  it('distributes from the caches alone, and a lost race comes back rate-limited on fresh state', async () => {
    const c = caches({
      namespaces: [ns('app'), ns('kube-system')],
      accounts: [sa('app')],
      source: SOURCE_SECRET,
    });
    // The first create loses to another writer (409): the namespace is decided again, later.
    const { api, actions } = recordingApi((req, n) => {
      if (n === 1) throw new KubeApiError({ method: 'POST', path: req.path, status: 409 });
    });
    const { d, registry } = distribution(c, api);
    const stop = new AbortController();
    const running = d.run(stop.signal);
    await until(() => actions.length === 3, 'create, create again, then the service account');
    stop.abort();
    await running;
    assert.deepEqual(actions, [
      'POST /api/v1/namespaces/app/secrets',
      'POST /api/v1/namespaces/app/secrets',
      'PATCH /api/v1/namespaces/app/serviceaccounts/default',
    ]);
    const metrics = await registry.metrics();
    assert.match(metrics, /lifeboat_pull_secret_syncs_total\{result="created"\} 1\n/);
    assert.match(
      metrics,
      /controller_runtime_reconcile_total\{controller="pull-secrets",result="requeue"\} 1\n/,
    );
    assert.match(
      metrics,
      /lifeboat_pull_secret_namespaces\{state="excluded"\} 1\n/,
      'kube-system, decided from the caches at scrape time',
    );
  });

  it('reports an unusable source once per problem, writes nothing, and distributes once it is fixed', async () => {
    const c = caches({ namespaces: [ns('app')], accounts: [] });
    const { api, actions } = recordingApi();
    const { d, events, registry } = distribution(c, api);
    const stop = new AbortController();
    const running = d.run(stop.signal);
    await until(() => events.events.length === 1, 'the missing source reported');
    const opaque: SecretObject = {
      ...SOURCE_SECRET,
      type: 'Opaque',
      metadata: { ...SOURCE_SECRET.metadata },
    };
    c.sources.set(opaque);
    c.sources.set({ ...opaque, metadata: { ...opaque.metadata, resourceVersion: '2' } });
    await until(() => events.events.length === 2, 'the wrong type reported');
    assert.deepEqual(
      events.events.map((e) => [e.reason, e.regarding.kind, e.regarding.namespace, e.regarding.name, e.note]),
      [
        [
          'PullSecretSourceInvalid',
          'Secret',
          'lifeboat-system',
          'backup-pull',
          'source pull secret lifeboat-system/backup-pull: not found',
        ],
        [
          'PullSecretSourceInvalid',
          'Secret',
          'lifeboat-system',
          'backup-pull',
          'source pull secret lifeboat-system/backup-pull: type is "Opaque", expected kubernetes.io/dockerconfigjson',
        ],
      ],
      'the same problem twice is reported once',
    );
    assert.deepEqual(actions, [], 'nothing is written while the source is unusable');
    c.sources.set({ ...SOURCE_SECRET, metadata: { ...SOURCE_SECRET.metadata, resourceVersion: '3' } });
    await until(() => actions.length === 1, 'the copy created once the source is usable');
    stop.abort();
    await running;
    assert.deepEqual(actions, ['POST /api/v1/namespaces/app/secrets']);
    assert.match(
      await registry.metrics(),
      /lifeboat_pull_secret_syncs_total\{result="source_invalid"\} [1-9]/,
    );
  });

  describe('isolated (--private-images=isolated)', () => {
    const KEY_REF = { namespace: 'lifeboat-system', name: 'lifeboat-pull-key' };
    const keySecret = (key: Buffer, rv: string): SecretObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...KEY_REF, uid: 'k1', resourceVersion: rv },
      type: 'Opaque',
      data: { key: key.toString('base64') },
    });
    /** The credential a written copy holds for the backup registry. */
    const credentialOf = (body: unknown): { username: string; password: string } => {
      const data = body as SecretObject | { path?: string; value: Record<string, string> }[];
      const encoded = Array.isArray(data)
        ? data.find((op) => op.path === '/data')!.value['.dockerconfigjson']!
        : data.data!['.dockerconfigjson']!;
      const config = JSON.parse(Buffer.from(encoded, 'base64').toString()) as {
        auths: Record<string, { username: string; password: string }>;
      };
      assert.deepEqual(Object.keys(config.auths), ['backup.example:5000'], 'the backup registry only');
      const { username, password } = config.auths['backup.example:5000']!;
      return { username, password };
    };
    function isolatedDistribution(c: ReturnType<typeof caches>, api: KubeRequester) {
      return createPullSecretDistribution({
        api,
        informers: c.informers,
        isolated: { namespace: 'lifeboat-system', registryHost: 'backup.example:5000' },
        secretName: 'lifeboat-pull',
        serviceAccounts: ['default'],
        excludedNamespaces: new Set(['lifeboat-system']),
        events: createFakeEventRecorder(),
      });
    }

    it("writes each namespace's own credential, and rewrites every copy when the key changes", async () => {
      const key1 = Buffer.alloc(32, 1);
      const key2 = Buffer.alloc(32, 2);
      const c = caches({
        namespaces: [ns('app-a'), ns('app-b')],
        accounts: [],
        source: keySecret(key1, '1'),
      });
      const bodies: [string, unknown][] = [];
      const { api, actions } = recordingApi((req) => {
        bodies.push([`${req.method} ${req.path}`, req.body]);
        // What was written is what the cache then holds, as the informer would deliver it.
        if (req.method === 'POST') {
          const secret = req.body as SecretObject;
          c.copies.set({ ...secret, metadata: { ...secret.metadata, resourceVersion: '10' } });
        }
      });
      const d = isolatedDistribution(c, api);
      const stop = new AbortController();
      const running = d.run(stop.signal);
      await until(() => actions.length === 2, 'both copies created');
      const created = new Map(bodies.map(([what, body]) => [what, credentialOf(body)]));
      for (const name of ['app-a', 'app-b']) {
        assert.deepEqual(created.get(`POST /api/v1/namespaces/${name}/secrets`), {
          username: `lifeboat-ns-${name}`,
          password: namespacePassword(key1, name),
        });
      }
      c.sources.set(keySecret(key2, '2'));
      await until(() => actions.length === 4, 'both copies patched');
      stop.abort();
      await running;
      const patched = new Map(bodies.slice(2).map(([what, body]) => [what, credentialOf(body)]));
      for (const name of ['app-a', 'app-b']) {
        assert.deepEqual(patched.get(`PATCH /api/v1/namespaces/${name}/secrets/lifeboat-pull`), {
          username: `lifeboat-ns-${name}`,
          password: namespacePassword(key2, name),
        });
      }
    });

    it('creates the key when it is absent, and only then', async () => {
      const c = caches({ namespaces: [], accounts: [] });
      const { api, actions } = recordingApi();
      const bodies: SecretObject[] = [];
      const recording: KubeRequester = {
        ...api,
        requestJson: <T>(req: RawRequestOptions) => {
          bodies.push(req.body as SecretObject);
          return api.requestJson<T>(req);
        },
      };
      const d = isolatedDistribution(c, recording);
      const stop = new AbortController();
      const running = d.run(stop.signal);
      await until(() => actions.length === 1, 'the key created');
      stop.abort();
      await running;
      assert.deepEqual(actions, ['POST /api/v1/namespaces/lifeboat-system/secrets']);
      assert.equal(bodies[0]!.metadata.name, 'lifeboat-pull-key');
      assert.equal(Buffer.from(bodies[0]!.data!.key!, 'base64').length, 32);

      const present = caches({ namespaces: [], accounts: [], source: keySecret(Buffer.alloc(32, 3), '1') });
      const second = recordingApi();
      const again = isolatedDistribution(present, second.api);
      const stop2 = new AbortController();
      const running2 = again.run(stop2.signal);
      await new Promise((r) => setTimeout(r, 50));
      stop2.abort();
      await running2;
      assert.deepEqual(second.actions, [], 'an existing key is never replaced');
    });
  });
});
