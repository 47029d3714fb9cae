// charts/lifeboat's Secret rights by `privateImages` (issue 16, B3): the cluster-wide Secret `get`
// (the tenants' pull Secrets a copy and an access check read) is rendered for shared and isolated
// only, and the token service's Role (isolated only) names its three Secrets in the release
// namespace, bound to the ServiceAccount the controller runs as. test/e2e/charts/chart-rbac.test.ts
// shows on a real apiserver that these rules are enough and that what they leave out is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart, type RenderedObject } from '../../scripts/chart.ts';
import { controllerArgs, REQUIRED_VALUES } from './rendered.ts';

const RELEASE = { release: 'fleet', namespace: 'boats' } as const;

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}
type Rbac = RenderedObject & {
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
};

const render = (values: Record<string, unknown>): Rbac[] =>
  renderChart({ ...RELEASE, values: { ...REQUIRED_VALUES, ...values } });

/** `Kind/name: verb` of every Secret right any Role or ClusterRole grants, `*` for every name. */
function secretRights(objects: Rbac[]): string[] {
  return objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) =>
      (o.rules ?? [])
        .filter((r) => r.apiGroups.includes('') && r.resources.includes('secrets'))
        .flatMap((r) =>
          (r.resourceNames ?? ['*']).flatMap((n) => r.verbs.map((v) => `${o.kind}/${n}: ${v}`)),
        ),
    )
    .sort();
}

describe('charts/lifeboat RBAC by privateImages', () => {
  it('grants a cluster-wide Secret get with privateImages shared or isolated, and no Secret get at all with skip (the default)', () => {
    const clusterGet = (objects: Rbac[]) => secretRights(objects).filter((r) => r.endsWith(': get'));
    assert.deepEqual(clusterGet(render({})), [], 'skip (the default) reads no Secret by get');
    assert.deepEqual(clusterGet(render({ privateImages: 'skip' })), []);
    for (const mode of ['shared', 'isolated'])
      assert.deepEqual(clusterGet(render({ privateImages: mode })), ['ClusterRole/*: get'], mode);
    // The flag and the rule move together.
    for (const mode of ['skip', 'shared', 'isolated'])
      assert.ok(controllerArgs(render({ privateImages: mode })).includes(`--private-images=${mode}`), mode);
  });

  it('grants every Secret right by name but create (and get when not skip), and the token service its three Secrets in isolated only', () => {
    const common = [
      'ClusterRole/*: create',
      ...['backup-pull', 'backup-push', 'lifeboat-pull'].flatMap((n) => [
        `ClusterRole/${n}: list`,
        `ClusterRole/${n}: watch`,
      ]),
      'ClusterRole/lifeboat-pull: delete',
      'ClusterRole/lifeboat-pull: patch',
    ];
    const secrets = {
      backup: { ...REQUIRED_VALUES.backup, pushSecret: 'backup-push', pullSecret: 'backup-pull' },
    };
    assert.deepEqual(secretRights(render(secrets)), [...common].sort());
    assert.deepEqual(
      secretRights(render({ ...secrets, privateImages: 'shared' })),
      [...common, 'ClusterRole/*: get'].sort(),
    );
    assert.deepEqual(
      secretRights(
        render({
          ...secrets,
          privateImages: 'isolated',
          tokenService: { tlsSecret: 'token-tls', signingSecret: 'token-signer' },
        }),
      ),
      [
        ...common,
        'ClusterRole/*: get',
        ...['lifeboat-pull-key', 'token-tls', 'token-signer'].flatMap((n) => [
          `Role/${n}: list`,
          `Role/${n}: watch`,
        ]),
      ].sort(),
    );
  });

  it('binds the token service Role, in the release namespace, to the ServiceAccount the controller runs as', () => {
    for (const serviceAccount of [{}, { create: false, name: 'existing' }]) {
      const objects = render({ privateImages: 'isolated', serviceAccount });
      const role = objects.find(
        (o) => o.kind === 'Role' && o.metadata.name === 'fleet-lifeboat-token-service',
      );
      assert.equal(role?.metadata.namespace, 'boats');
      const binding = objects.find(
        (o) => o.kind === 'RoleBinding' && o.metadata.name === 'fleet-lifeboat-token-service',
      );
      assert.equal(binding?.metadata.namespace, 'boats');
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'fleet-lifeboat-token-service',
      });
      const runsAs = (
        objects.find((o) => o.kind === 'Deployment') as unknown as {
          spec: { template: { spec: { serviceAccountName: string } } };
        }
      ).spec.template.spec.serviceAccountName;
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: runsAs, namespace: 'boats' }]);
    }
    const none = (values: Record<string, unknown>) =>
      !render(values).some((o) => o.metadata.name === 'fleet-lifeboat-token-service');
    assert.ok(none({}), 'none with skip');
    assert.ok(none({ privateImages: 'isolated', rbac: { create: false } }), 'none with rbac.create off');
  });
});
