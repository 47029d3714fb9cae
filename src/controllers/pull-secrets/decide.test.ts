import { parseLabelSelector } from '../../kube/index.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namespaceDisposition } from '../api/namespace-disposition.ts';
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import {
  decideNamespace,
  isEmptyRemoval,
  namespaceStateOf,
  planServiceAccountAdd,
  planServiceAccountRemove,
  pullSecretCopyChange,
  removalOf,
  selectsServiceAccount,
  syncResultOf,
  type DistributionRules,
  type NamespaceSnapshot,
  type NamespaceStep,
} from './decide.ts';
import { SourceSecretError, validateSourceSecret } from './source-secret.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CONTENT = {
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64('{"auths":{}}') },
};
const TARGET = { namespace: 'app', name: 'lifeboat-pull', source: 'lifeboat-system/backup-pull' };
const OURS = { 'app.kubernetes.io/managed-by': 'lifeboat' };

function copy(
  over: Partial<SecretObject> & { labels?: Record<string, string> | undefined } = {},
): SecretObject {
  const { labels: given, ...rest } = over;
  const labels = 'labels' in over ? given : OURS;
  return {
    metadata: {
      name: 'lifeboat-pull',
      namespace: 'app',
      uid: 'u1',
      resourceVersion: '7',
      ...(labels ? { labels } : {}),
      annotations: { 'lifeboat.dev/copied-from': TARGET.source },
    },
    type: CONTENT.type,
    data: { ...CONTENT.data },
    ...rest,
  };
}

describe('namespaceDisposition', () => {
  const excluded = new Set(['kube-system', 'lifeboat-system']);
  const cases: [string, Parameters<typeof namespaceDisposition>[0], string][] = [
    ['an ordinary namespace', { metadata: { name: 'app' } }, 'active'],
    ['a listed one', { metadata: { name: 'kube-system' } }, 'excluded'],
    [
      'one labelled lifeboat.dev/ignore=true',
      { metadata: { name: 'x', labels: { 'lifeboat.dev/ignore': 'true' } } },
      'excluded',
    ],
    [
      'one labelled ignore=false',
      { metadata: { name: 'x', labels: { 'lifeboat.dev/ignore': 'false' } } },
      'active',
    ],
    [
      'one being deleted',
      { metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      'terminating',
    ],
    [
      'a Terminating excluded one',
      { metadata: { name: 'kube-system' }, status: { phase: 'Terminating' } },
      'terminating',
    ],
  ];
  for (const [what, ns, want] of cases)
    it(`${what} is ${want}`, () => assert.equal(namespaceDisposition(ns, excluded), want));
});

describe('validateSourceSecret', () => {
  const ref = { namespace: 'lifeboat-system', name: 'backup-pull' };
  const secret = (type: string | undefined, data?: Record<string, string>): SecretObject => ({
    metadata: { name: 'backup-pull', namespace: 'lifeboat-system' },
    ...(type ? { type } : {}),
    ...(data ? { data } : {}),
  });
  const refusals: [string, SecretObject | undefined, string, RegExp][] = [
    ['missing', undefined, 'missing', /^source pull secret lifeboat-system\/backup-pull: not found$/],
    [
      'Opaque',
      secret('Opaque', CONTENT.data),
      'wrong-type',
      /type is "Opaque", expected kubernetes.io\/dockerconfigjson/,
    ],
    ['typeless', secret(undefined), 'wrong-type', /type is "Opaque"/],
    ['empty', secret(CONTENT.type, {}), 'no-data', /has no .dockerconfigjson key/],
    [
      'not JSON',
      secret(CONTENT.type, { '.dockerconfigjson': b64('{"auths": {"x": "pass') }),
      'invalid',
      /: \.dockerconfigjson is not valid JSON$/,
    ],
    [
      'without auths',
      secret(CONTENT.type, { '.dockerconfigjson': b64('{"credsStore":"x"}') }),
      'invalid',
      /has no "auths" object$/,
    ],
    [
      'with a bad auth',
      secret(CONTENT.type, { '.dockerconfigjson': b64('{"auths":{"r.example.com":{"auth":"pass!"}}}') }),
      'invalid',
      /"auth" is not base64/,
    ],
  ];
  for (const [what, input, problem, message] of refusals) {
    it(`refuses a ${what} Secret without quoting its data`, () => {
      const got = validateSourceSecret(input, ref);
      assert.ok(got instanceof SourceSecretError);
      assert.equal(got.problem, problem);
      assert.equal(got.temporary, false);
      assert.match(got.message, message);
      assert.ok(!got.message.includes('pass'), 'data never appears');
    });
  }
  it('accepts a dockerconfigjson Secret and returns its type and data', () => {
    assert.deepEqual(validateSourceSecret(secret(CONTENT.type, CONTENT.data), ref), CONTENT);
  });
});

describe('pullSecretCopyChange', () => {
  it('creates a labelled copy with the source type and data where there is none', () => {
    const plan = pullSecretCopyChange(CONTENT, undefined, TARGET);
    assert.equal(plan.action, 'create');
    assert.deepEqual(plan.action === 'create' && plan.secret, {
      metadata: {
        name: 'lifeboat-pull',
        namespace: 'app',
        labels: OURS,
        annotations: { 'lifeboat.dev/copied-from': TARGET.source },
      },
      type: CONTENT.type,
      data: CONTENT.data,
    });
  });
  it('does nothing to a current copy', () =>
    assert.deepEqual(pullSecretCopyChange(CONTENT, copy(), TARGET), { action: 'none' }));
  it('never touches a Secret of that name lifeboat does not own', () => {
    assert.deepEqual(pullSecretCopyChange(CONTENT, copy({ labels: undefined }), TARGET), {
      action: 'conflict',
    });
    assert.deepEqual(
      pullSecretCopyChange(CONTENT, copy({ labels: { 'app.kubernetes.io/managed-by': 'helm' } }), TARGET),
      {
        action: 'conflict',
      },
    );
  });
  it('patches rotated or edited data in place, guarded by the resourceVersion', () => {
    const rotated = { ...CONTENT, data: { '.dockerconfigjson': b64('{"auths":{"b":{}}}') } };
    assert.deepEqual(pullSecretCopyChange(rotated, copy(), TARGET), {
      action: 'update',
      ops: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'replace', path: '/data', value: rotated.data },
      ],
    });
    const extraKey = copy({ data: { ...CONTENT.data, extra: 'eA==' } });
    assert.equal(
      pullSecretCopyChange(CONTENT, extraKey, TARGET).action,
      'update',
      'a key added by someone else goes',
    );
    const noData = copy({ data: undefined });
    delete noData.data;
    assert.deepEqual(pullSecretCopyChange(CONTENT, noData, TARGET), {
      action: 'update',
      ops: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/data', value: CONTENT.data },
      ],
    });
  });
  it('replaces a copy whose type changed (Secret types are immutable), preconditioned on its uid', () => {
    const plan = pullSecretCopyChange(CONTENT, copy({ type: 'Opaque' }), TARGET);
    assert.equal(plan.action, 'replace-type');
    assert.equal(plan.action === 'replace-type' && plan.uid, 'u1');
  });
});

describe('service accounts', () => {
  const sa = (
    over: Partial<ServiceAccountObject['metadata']> = {},
    refs?: { name?: string }[],
  ): ServiceAccountObject => ({
    metadata: { name: 'default', namespace: 'app', resourceVersion: '3', ...over },
    ...(refs ? { imagePullSecrets: refs } : {}),
  });
  it('selects named accounts, or all with *', () => {
    assert.equal(selectsServiceAccount(['default'], sa()), true);
    assert.equal(selectsServiceAccount(['builder'], sa()), false);
    assert.equal(selectsServiceAccount(['*'], sa({ name: 'anything' })), true);
  });
  it('appends after the entries already there, keeping their order, and marks the addition', () => {
    assert.deepEqual(
      planServiceAccountAdd(sa({ annotations: { a: 'b' } }, [{ name: 'mine' }]), 'lifeboat-pull'),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '3' },
        { op: 'add', path: '/imagePullSecrets/-', value: { name: 'lifeboat-pull' } },
        { op: 'add', path: '/metadata/annotations/lifeboat.dev~1added-pull-secret', value: 'lifeboat-pull' },
      ],
    );
  });
  it('creates the list and the annotations when absent', () => {
    assert.deepEqual(planServiceAccountAdd(sa(), 'lifeboat-pull'), [
      { op: 'test', path: '/metadata/resourceVersion', value: '3' },
      { op: 'add', path: '/imagePullSecrets', value: [{ name: 'lifeboat-pull' }] },
      {
        op: 'add',
        path: '/metadata/annotations',
        value: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull' },
      },
    ]);
  });
  it('never duplicates an entry', () => {
    assert.equal(planServiceAccountAdd(sa({}, [{ name: 'lifeboat-pull' }]), 'lifeboat-pull'), undefined);
  });
  it('records several configurations in one annotation and removes only its own', () => {
    const both = sa({ annotations: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull' } }, [
      { name: 'lifeboat-pull' },
    ]);
    assert.deepEqual(planServiceAccountAdd(both, 'other-pull')?.at(-1), {
      op: 'add',
      path: '/metadata/annotations/lifeboat.dev~1added-pull-secret',
      value: 'lifeboat-pull,other-pull',
    });
    const after = sa({ annotations: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull,other-pull' } }, [
      { name: 'lifeboat-pull' },
      { name: 'other-pull' },
    ]);
    assert.deepEqual(planServiceAccountRemove(after, 'other-pull'), [
      { op: 'test', path: '/metadata/resourceVersion', value: '3' },
      { op: 'test', path: '/imagePullSecrets/1', value: { name: 'other-pull' } },
      { op: 'remove', path: '/imagePullSecrets/1' },
      { op: 'add', path: '/metadata/annotations/lifeboat.dev~1added-pull-secret', value: 'lifeboat-pull' },
    ]);
  });
  it('removes only the entry its annotation vouches for', () => {
    const added = sa({ annotations: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull' } }, [
      { name: 'mine' },
      { name: 'lifeboat-pull' },
      { name: 'other' },
    ]);
    assert.deepEqual(planServiceAccountRemove(added, 'lifeboat-pull'), [
      { op: 'test', path: '/metadata/resourceVersion', value: '3' },
      { op: 'test', path: '/imagePullSecrets/1', value: { name: 'lifeboat-pull' } },
      { op: 'remove', path: '/imagePullSecrets/1' },
      { op: 'remove', path: '/metadata/annotations/lifeboat.dev~1added-pull-secret' },
    ]);
    assert.equal(
      planServiceAccountRemove(sa({}, [{ name: 'lifeboat-pull' }]), 'lifeboat-pull'),
      undefined,
      'added by hand',
    );
  });
});

describe('decideNamespace', () => {
  const RULES: DistributionRules = {
    source: { namespace: 'lifeboat-system', name: 'backup-pull' },
    secretName: 'lifeboat-pull',
    serviceAccounts: ['default'],
    excludedNamespaces: new Set(['kube-system', 'lifeboat-system']),
  };
  const account = (name: string, over: Partial<ServiceAccountObject> = {}): ServiceAccountObject => ({
    metadata: { name, namespace: 'app', resourceVersion: '3' },
    ...over,
  });
  const referencing = account('default', {
    metadata: {
      name: 'default',
      namespace: 'app',
      resourceVersion: '3',
      annotations: { 'lifeboat.dev/added-pull-secret': 'lifeboat-pull' },
    },
    imagePullSecrets: [{ name: 'lifeboat-pull' }],
  });
  const snap = (over: Partial<NamespaceSnapshot> = {}): NamespaceSnapshot => ({
    name: 'app',
    namespace: { metadata: { name: 'app' } },
    copy: copy(),
    serviceAccounts: [referencing],
    source: CONTENT,
    ...over,
  });
  const invalid = new SourceSecretError('lifeboat-system/backup-pull', 'missing', 'not found');
  const cases: [string, NamespaceSnapshot, DistributionRules, NamespaceStep['kind'], string?][] = [
    ['a namespace gone from the cache', snap({ namespace: undefined }), RULES, 'leave', 'gone'],
    [
      'a namespace being deleted',
      snap({ namespace: { metadata: { name: 'app', deletionTimestamp: '2026-01-01T00:00:00Z' } } }),
      RULES,
      'leave',
      'terminating',
    ],
    [
      'the source namespace when the copy would be the source itself, even excluded',
      snap({ name: 'lifeboat-system', namespace: { metadata: { name: 'lifeboat-system' } } }),
      { ...RULES, secretName: 'backup-pull' },
      'leave',
      'source-itself',
    ],
    [
      'an excluded namespace',
      snap({ name: 'kube-system', namespace: { metadata: { name: 'kube-system' } } }),
      RULES,
      'remove',
    ],
    ['any namespace while the source is unusable', snap({ source: invalid }), RULES, 'wait-for-source'],
    [
      'a Secret of that name lifeboat does not own',
      snap({ copy: copy({ labels: undefined }) }),
      RULES,
      'conflict',
    ],
    ['a namespace in sync', snap(), RULES, 'distribute'],
  ];
  for (const [what, s, rules, kind, why] of cases) {
    it(`${what}: ${kind}${why ? ` (${why})` : ''}`, () => {
      const step = decideNamespace(s, rules);
      assert.equal(step.kind, kind);
      if (why) assert.equal(step.kind === 'leave' && step.why, why);
    });
  }

  it('a namespace in sync writes nothing, is counted unchanged and synced', () => {
    const step = decideNamespace(snap(), RULES);
    assert.deepEqual(step, { kind: 'distribute', copy: { action: 'none' }, accounts: [] });
    assert.equal(syncResultOf(step), 'unchanged');
    assert.equal(namespaceStateOf(step), 'synced');
  });
  it('a new namespace gets the copy, then only its chosen accounts the reference', () => {
    const step = decideNamespace(
      snap({ copy: undefined, serviceAccounts: [account('default'), account('builder')] }),
      RULES,
    );
    assert.equal(step.kind, 'distribute');
    assert.equal(step.kind === 'distribute' && step.copy.action, 'create');
    assert.deepEqual(step.kind === 'distribute' && step.accounts.map((a) => [a.name, a.ops]), [
      ['default', planServiceAccountAdd(account('default'), 'lifeboat-pull')],
    ]);
    assert.equal(syncResultOf(step), 'created');
    assert.equal(namespaceStateOf(step), undefined, 'not synced until written');
  });
  it('every service account with *', () => {
    const step = decideNamespace(snap({ serviceAccounts: [account('default'), account('builder')] }), {
      ...RULES,
      serviceAccounts: ['*'],
    });
    assert.deepEqual(step.kind === 'distribute' && step.accounts.map((a) => a.name), ['default', 'builder']);
    assert.equal(syncResultOf(step), 'updated', 'a reference added counts as an update');
  });
  it('the copy is the source namespace/name', () => {
    const step = decideNamespace(snap({ copy: undefined }), RULES);
    assert.equal(
      step.kind === 'distribute' &&
        step.copy.action === 'create' &&
        step.copy.secret.metadata.annotations?.['lifeboat.dev/copied-from'],
      'lifeboat-system/backup-pull',
    );
  });
  it('a conflict is reported on the Secret found there and writes no account', () => {
    const foreign = copy({ labels: undefined });
    const step = decideNamespace(snap({ copy: foreign, serviceAccounts: [account('default')] }), RULES);
    assert.deepEqual(step, { kind: 'conflict', copy: foreign });
    assert.equal(syncResultOf(step), 'conflict');
    assert.equal(namespaceStateOf(step), 'conflict');
  });
  it('an unusable source changes nothing anywhere, not even an excluded namespace’s own copy', () => {
    const step = decideNamespace(snap({ source: invalid, copy: undefined }), RULES);
    assert.deepEqual(step, { kind: 'wait-for-source', problem: invalid });
    assert.equal(syncResultOf(step), 'source_invalid');
    assert.equal(namespaceStateOf(step), undefined);
  });
  it('an excluded namespace loses exactly what lifeboat added there, and is counted once it did', () => {
    const excluded = (over: Partial<NamespaceSnapshot>) =>
      decideNamespace(
        snap({
          namespace: { metadata: { name: 'app', labels: { 'lifeboat.dev/ignore': 'true' } } },
          ...over,
        }),
        RULES,
      );
    const step = excluded({});
    assert.equal(step.kind, 'remove');
    assert.deepEqual(step.kind === 'remove' && step.removal, {
      accounts: [{ name: 'default', ops: planServiceAccountRemove(referencing, 'lifeboat-pull') }],
      copy: { name: 'lifeboat-pull', uid: 'u1' },
    });
    assert.equal(syncResultOf(step), 'removed');
    assert.equal(namespaceStateOf(step), 'excluded');
    const clean = excluded({ copy: copy({ labels: undefined }), serviceAccounts: [account('default')] });
    assert.deepEqual(clean, { kind: 'remove', removal: { accounts: [] } }, 'a foreign Secret stays');
    assert.equal(syncResultOf(clean), undefined, 'nothing removed: not counted');
    assert.equal(namespaceStateOf(clean), 'excluded');
  });
  describe('decideNamespace with --namespace-selector', () => {
    const rules = { ...RULES, namespaceSelector: parseLabelSelector('lifeboat.dev/enabled=true') };
    it('takes out what lifeboat added in a namespace the selector does not select', () => {
      const step = decideNamespace(snap({}), rules);
      assert.equal(step.kind, 'remove');
      assert.equal(namespaceStateOf(step), 'excluded');
    });
    it('distributes to a namespace labelled into the selector', () => {
      const step = decideNamespace(
        snap({ namespace: { metadata: { name: 'app', labels: { 'lifeboat.dev/enabled': 'true' } } } }),
        rules,
      );
      assert.equal(step.kind, 'distribute');
    });
  });
});

describe('removalOf', () => {
  it('is empty where lifeboat added nothing', () => {
    const r = removalOf(undefined, [], 'lifeboat-pull');
    assert.deepEqual(r, { accounts: [] });
    assert.equal(isEmptyRemoval(r), true);
  });
  it('deletes an owned copy only in its incarnation, and leaves a foreign one', () => {
    assert.deepEqual(removalOf(copy(), [], 'lifeboat-pull').copy, { name: 'lifeboat-pull', uid: 'u1' });
    assert.equal(removalOf(copy({ labels: undefined }), [], 'lifeboat-pull').copy, undefined);
  });
});
