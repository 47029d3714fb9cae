// apply.ts against a recording API (sample-controller's fixture: the recorded actions are the
// assertion) and the fake Event recorder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import {
  KubeApiError,
  RESOURCES,
  resourceClient,
  type KubeRequester,
  type RawRequestOptions,
} from '../../kube/index.ts';
import { createFakeEventRecorder } from '../../kube/event-recorder-fake.ts';
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { applyNamespaceStep, reportSourceProblem } from './apply.ts';
import type { NamespaceStep } from './decide.ts';
import type { SyncResult } from './metrics.ts';
import { removeFromNamespace } from './remove.ts';
import { SourceSecretError } from './source-secret.ts';

const SECRET: SecretObject = {
  metadata: { name: 'lifeboat-pull', namespace: 'app' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': 'e30=' },
};
const TEST_RV = { op: 'test', path: '/metadata/resourceVersion', value: '3' } as const;
const ADD_REF = { op: 'add', path: '/imagePullSecrets', value: [{ name: 'lifeboat-pull' }] } as const;

/** Records every request as `METHOD path`, with its body; `fail` picks requests to answer with an error. */
function fixture(fail: (req: RawRequestOptions) => KubeApiError | undefined = () => undefined) {
  const actions: string[] = [];
  const bodies: unknown[] = [];
  const api: KubeRequester = {
    request: () => Promise.reject(new Error('no streams here')),
    // eslint-disable-next-line @typescript-eslint/require-await -- async turns a throw into a rejection
    requestJson: async <T>(req: RawRequestOptions) => {
      actions.push(`${req.method} ${req.path}`);
      bodies.push(req.body);
      const err = fail(req);
      if (err) throw err;
      return {} as T;
    },
  };
  const events = createFakeEventRecorder();
  const syncs: SyncResult[] = [];
  const fx = {
    secrets: resourceClient<SecretObject>(api, RESOURCES.secrets),
    accounts: resourceClient<ServiceAccountObject>(api, RESOURCES.serviceAccounts),
    secretName: 'lifeboat-pull',
    events,
    metrics: { sync: (r: SyncResult) => void syncs.push(r) },
    logger: pino({ level: 'silent' }),
  };
  return { fx, actions, bodies, events: events.events, syncs };
}
const status = (code: number) => new KubeApiError({ method: 'X', path: '/p', status: code });

describe('applyNamespaceStep', () => {
  it('creates the copy before it adds the reference, and counts it', async () => {
    const f = fixture();
    const step: NamespaceStep = {
      kind: 'distribute',
      copy: { action: 'create', secret: SECRET },
      accounts: [{ name: 'default', ops: [TEST_RV, ADD_REF] }],
    };
    assert.equal(await applyNamespaceStep('app', step, f.fx), undefined);
    assert.deepEqual(f.actions, [
      'POST /api/v1/namespaces/app/secrets',
      'PATCH /api/v1/namespaces/app/serviceaccounts/default',
    ]);
    assert.deepEqual(f.bodies, [{ apiVersion: 'v1', kind: 'Secret', ...SECRET }, [TEST_RV, ADD_REF]]);
    assert.deepEqual(f.syncs, ['created']);
  });
  it('replaces a copy of another type: a delete preconditioned on its uid, then a create', async () => {
    const f = fixture();
    await applyNamespaceStep(
      'app',
      { kind: 'distribute', copy: { action: 'replace-type', uid: 'u1', secret: SECRET }, accounts: [] },
      f.fx,
    );
    assert.deepEqual(f.actions, [
      'DELETE /api/v1/namespaces/app/secrets/lifeboat-pull',
      'POST /api/v1/namespaces/app/secrets',
    ]);
    assert.deepEqual((f.bodies[0] as { preconditions?: unknown }).preconditions, { uid: 'u1' });
    assert.deepEqual(f.syncs, ['updated']);
  });
  it('writes nothing for a namespace in sync, and counts it unchanged', async () => {
    const f = fixture();
    await applyNamespaceStep('app', { kind: 'distribute', copy: { action: 'none' }, accounts: [] }, f.fx);
    assert.deepEqual(f.actions, []);
    assert.deepEqual(f.syncs, ['unchanged']);
  });
  it('removes the account entries before the copy, the copy only in its incarnation', async () => {
    const f = fixture();
    await applyNamespaceStep(
      'app',
      {
        kind: 'remove',
        removal: {
          accounts: [{ name: 'default', ops: [TEST_RV] }],
          copy: { name: 'lifeboat-pull', uid: 'u1' },
        },
      },
      f.fx,
    );
    assert.deepEqual(f.actions, [
      'PATCH /api/v1/namespaces/app/serviceaccounts/default',
      'DELETE /api/v1/namespaces/app/secrets/lifeboat-pull',
    ]);
    assert.deepEqual((f.bodies[1] as { preconditions?: unknown }).preconditions, { uid: 'u1' });
    assert.deepEqual(f.syncs, ['removed']);
  });
  for (const code of [409, 422, 404]) {
    it(`a write refused with ${code} is a lost race: nothing after it is written, nothing counted`, async () => {
      const f = fixture((req) => (req.method === 'POST' ? status(code) : undefined));
      const step: NamespaceStep = {
        kind: 'distribute',
        copy: { action: 'create', secret: SECRET },
        accounts: [{ name: 'default', ops: [TEST_RV, ADD_REF] }],
      };
      assert.equal(await applyNamespaceStep('app', step, f.fx), 'race');
      assert.deepEqual(f.actions, ['POST /api/v1/namespaces/app/secrets']);
      assert.deepEqual(f.syncs, []);
    });
  }
  it('any other error goes to the controller’s error policy', async () => {
    const f = fixture(() => status(500));
    await assert.rejects(
      applyNamespaceStep(
        'app',
        { kind: 'distribute', copy: { action: 'create', secret: SECRET }, accounts: [] },
        f.fx,
      ),
      (err: unknown) => err instanceof KubeApiError && err.status === 500,
    );
  });
  it('a conflict writes nothing and records PullSecretConflict on the Secret found there', async () => {
    const f = fixture();
    const foreign: SecretObject = { metadata: { name: 'lifeboat-pull', namespace: 'app', uid: 'u9' } };
    await applyNamespaceStep('app', { kind: 'conflict', copy: foreign }, f.fx);
    assert.deepEqual(f.actions, []);
    assert.deepEqual(f.syncs, ['conflict']);
    assert.equal(f.events.length, 1);
    assert.equal(f.events[0]?.reason, 'PullSecretConflict');
    assert.equal(f.events[0]?.type, 'Warning');
    assert.deepEqual(f.events[0]?.regarding, {
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'app',
      name: 'lifeboat-pull',
      uid: 'u9',
    });
    assert.match(f.events[0]?.note ?? '', /^Secret app\/lifeboat-pull is not managed by lifeboat/);
  });
  it('waiting for the source writes nothing and counts it', async () => {
    const f = fixture();
    const problem = new SourceSecretError('lifeboat-system/backup-pull', 'missing', 'not found');
    await applyNamespaceStep('app', { kind: 'wait-for-source', problem }, f.fx);
    assert.deepEqual(f.actions, []);
    assert.deepEqual(f.syncs, ['source_invalid']);
    assert.deepEqual(f.events, []);
  });
});

describe('reportSourceProblem', () => {
  it('names a missing source Secret where it should be, without its data', () => {
    const f = fixture();
    const problem = new SourceSecretError('lifeboat-system/backup-pull', 'missing', 'not found');
    reportSourceProblem(problem, undefined, { namespace: 'lifeboat-system', name: 'backup-pull' }, f.fx);
    assert.deepEqual(f.events, [
      {
        type: 'Warning',
        reason: 'PullSecretSourceInvalid',
        action: 'Validate',
        note: 'source pull secret lifeboat-system/backup-pull: not found',
        regarding: { apiVersion: 'v1', kind: 'Secret', namespace: 'lifeboat-system', name: 'backup-pull' },
      },
    ]);
  });
});

describe('removeFromNamespace (lifeboat uninstall)', () => {
  it('removes what lifeboat added in the namespace of the objects, and says whether it did', async () => {
    const f = fixture();
    const sa: ServiceAccountObject = {
      metadata: {
        name: 'default',
        namespace: 'app',
        resourceVersion: '3',
        annotations: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull' },
      },
      imagePullSecrets: [{ name: 'lifeboat-pull' }],
    };
    const owned: SecretObject = {
      metadata: { ...SECRET.metadata, uid: 'u1', labels: { 'app.kubernetes.io/managed-by': 'lifeboat' } },
    };
    const input = { secrets: f.fx.secrets, accounts: f.fx.accounts, secretName: 'lifeboat-pull' };
    assert.equal(await removeFromNamespace({ ...input, copy: owned, serviceAccounts: [sa] }), true);
    assert.deepEqual(f.actions, [
      'PATCH /api/v1/namespaces/app/serviceaccounts/default',
      'DELETE /api/v1/namespaces/app/secrets/lifeboat-pull',
    ]);
    const foreign: SecretObject = { metadata: { ...SECRET.metadata, uid: 'u2' } };
    assert.equal(await removeFromNamespace({ ...input, copy: foreign, serviceAccounts: [] }), false);
    assert.equal(f.actions.length, 2, 'a foreign Secret is not touched');
  });
});
