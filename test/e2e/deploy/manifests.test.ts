// The plain manifests of deploy/ against the real kube-apiserver: every object passes a server-side
// dry run, then is created for real, and the Deployment rolls out 2 ready replicas (kwok nodes) that
// its PodDisruptionBudget protects. The control plane is shared with suites that use lifeboat-system
// themselves (pull-secrets), so the manifests are relocated as an operator would install a second
// copy: namespace `lifeboat-system` → a namespace this suite owns, the ClusterRole and its binding
// renamed after it. Nothing else of the objects changes; everything is deleted afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor, type ControlPlane } from '../../../src/devenv/index.ts';
import { sharedControlPlane } from '../../env/shared.ts';
import { deployManifests, type KubeObject } from '../../deploy/manifests.ts';
import { deleteCreated, describeResponse, dryRunThenCreate, type Located } from './apply.ts';

const INSTALL_NAMESPACE = 'lifeboat-system';

/** Every `lifeboat-system` becomes `namespace`; cluster-scoped RBAC names get its suffix. */
function relocate(object: KubeObject, namespace: string): KubeObject {
  const rbacName = (name: string): string => `${name}-${namespace}`;
  const text = JSON.stringify(object).replaceAll(`"${INSTALL_NAMESPACE}"`, JSON.stringify(namespace));
  const copy = JSON.parse(text) as KubeObject & {
    roleRef?: { kind: string; name: string };
  };
  if (copy.kind === 'ClusterRole' || copy.kind === 'ClusterRoleBinding') {
    (copy.metadata as { name: string }).name = rbacName(copy.metadata.name);
  }
  if (copy.roleRef?.kind === 'ClusterRole') copy.roleRef.name = rbacName(copy.roleRef.name);
  return copy;
}

describe('deploy/ manifests on the API server', () => {
  let cp: ControlPlane;
  const namespace = `lifeboat-deploy-${randomBytes(4).toString('hex')}`;
  const manifests = deployManifests();
  const objects = manifests.map((m) => relocate(m.object, namespace));
  const created: Located[] = [];

  before(async () => {
    cp = await sharedControlPlane();
  });
  after(async () => {
    await deleteCreated(cp, created);
  });

  it('holds the objects an install needs, all in lifeboat-system or cluster-scoped', () => {
    assert.deepEqual(manifests.map((m) => m.object.kind).sort(), [
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    for (const { object } of manifests) {
      const ns = object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace;
      if (ns !== undefined) assert.equal(ns, INSTALL_NAMESPACE, `${object.kind} ${object.metadata.name}`);
    }
  });

  it('passes a server-side dry run that persists nothing, then is created for real', async () => {
    await dryRunThenCreate(cp, objects, created);
  });

  it('rolls out 2 ready replicas that the PodDisruptionBudget lets lose one at a time', async () => {
    const base = `/apis/apps/v1/namespaces/${namespace}/deployments/lifeboat`;
    await waitFor(
      async () => {
        const res = await cp.request('GET', base);
        return (res.body as { status?: { availableReplicas?: number } }).status?.availableReplicas === 2;
      },
      { what: 'the Deployment to have 2 available replicas', timeoutMs: 120_000, intervalMs: 500 },
    );
    await waitFor(
      async () => {
        const res = await cp.request(
          'GET',
          `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/lifeboat`,
        );
        const status = (res.body as { status?: { currentHealthy?: number; disruptionsAllowed?: number } })
          .status;
        return status?.currentHealthy === 2 && status.disruptionsAllowed === 1;
      },
      { what: 'the PodDisruptionBudget to allow exactly one disruption', timeoutMs: 60_000, intervalMs: 500 },
    );
    // The metrics Service selects both pods.
    await waitFor(
      async () => {
        const res = await cp.request(
          'GET',
          `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dlifeboat-metrics`,
        );
        const slices = (res.body as { items: { endpoints?: { conditions?: { ready?: boolean } }[] }[] })
          .items;
        return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2;
      },
      { what: 'the metrics Service to have 2 ready endpoints', timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  it('grants the ServiceAccount what its rules say, and not more (SubjectAccessReview)', async () => {
    const user = `system:serviceaccount:${namespace}:lifeboat`;
    const can = async (attributes: Record<string, string>): Promise<boolean> => {
      const res = await cp.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
          resourceAttributes: attributes,
        },
      });
      assert.equal(res.status, 201, describeResponse(res));
      return (res.body as { status: { allowed: boolean } }).status.allowed;
    };
    const cases: [Record<string, string>, boolean][] = [
      [{ group: 'apps', resource: 'deployments', verb: 'patch', namespace: 'default' }, true],
      [{ group: 'apps', resource: 'deployments', verb: 'delete', namespace: 'default' }, false],
      [{ group: 'apps', resource: 'deployments', verb: 'create', namespace: 'default' }, false],
      [{ group: 'batch', resource: 'cronjobs', verb: 'watch' }, true],
      [{ group: 'batch', resource: 'jobs', verb: 'list' }, false],
      [{ group: 'lifeboat.dev', resource: 'imagebackups', verb: 'create' }, true],
      [{ group: 'lifeboat.dev', resource: 'imagebackups', verb: 'delete' }, false],
      [{ group: 'lifeboat.dev', resource: 'imagebackups', subresource: 'status', verb: 'patch' }, true],
      // Unused, so not granted (test/e2e/charts/chart-rbac.test.ts): status is only ever patched.
      [{ group: 'lifeboat.dev', resource: 'imagebackups', subresource: 'status', verb: 'update' }, false],
      [{ group: 'apps', resource: 'deployments', verb: 'get', namespace: 'default' }, false],
      // Secrets (issue 16, B3): the copies by name; reading any one by name; nothing else.
      [{ group: '', resource: 'secrets', verb: 'delete', namespace: 'default', name: 'lifeboat-pull' }, true],
      [{ group: '', resource: 'secrets', verb: 'patch', namespace: 'default', name: 'lifeboat-pull' }, true],
      [{ group: '', resource: 'secrets', verb: 'watch', name: 'lifeboat-pull' }, true],
      [{ group: '', resource: 'secrets', verb: 'delete', namespace: 'default' }, false],
      [{ group: '', resource: 'secrets', verb: 'delete', namespace: 'default', name: 'other' }, false],
      [{ group: '', resource: 'secrets', verb: 'patch', namespace: 'default', name: 'other' }, false],
      [{ group: '', resource: 'secrets', verb: 'list' }, false],
      [{ group: '', resource: 'secrets', verb: 'watch', namespace: 'default' }, false],
      // deploy/ is rendered with privateImages: skip: lifeboat reads no tenant Secret, so no `get`.
      [{ group: '', resource: 'secrets', verb: 'get', namespace: 'default', name: 'other' }, false],
      [{ group: '', resource: 'secrets', verb: 'get', namespace, name: 'lifeboat-backup-push' }, false],
      [{ group: '', resource: 'secrets', verb: 'create', namespace: 'default' }, true],
      [{ group: '', resource: 'namespaces', verb: 'patch' }, false],
      [{ group: '', resource: 'pods', verb: 'list' }, false],
      [{ group: 'events.k8s.io', resource: 'events', verb: 'create', namespace: 'default' }, true],
      [{ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace }, true],
      [{ group: 'coordination.k8s.io', resource: 'leases', verb: 'delete', namespace }, false],
      [{ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'default' }, false],
      [{ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'create' }, false],
    ];
    for (const [attributes, allowed] of cases) {
      assert.equal(await can(attributes), allowed, JSON.stringify(attributes));
    }
  });
});
