import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enqueueMapped, enqueueObject, ownerKeys } from './object-mapping.ts';
import type { Resource } from './resource.ts';
import { RESOURCES } from './resource.ts';
import type { KubeObject } from './store.ts';

const imageBackups: Resource = {
  group: 'lifeboat.dev',
  version: 'v1alpha1',
  plural: 'imagebackups',
  kind: 'ImageBackup',
  namespaced: false,
};

const owned: KubeObject = {
  metadata: {
    name: 'x',
    namespace: 'ns',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '1', controller: true },
      { apiVersion: 'apps/v1beta2', kind: 'Deployment', name: 'old-api', uid: '2' },
      { apiVersion: 'example.com/v1', kind: 'Deployment', name: 'other-group', uid: '3' },
      { apiVersion: 'lifeboat.dev/v1alpha1', kind: 'ImageBackup', name: 'nginx-1', uid: '4' },
    ],
  },
};

describe('object mapping', () => {
  it('finds owners of one group and kind, in any version, with their keys', () => {
    assert.deepEqual(ownerKeys(owned, RESOURCES.deployments), ['ns/web', 'ns/old-api']);
    assert.deepEqual(ownerKeys(owned, RESOURCES.deployments, { controllerOnly: true }), ['ns/web']);
    assert.deepEqual(ownerKeys(owned, imageBackups), ['nginx-1'], 'a cluster-scoped owner has no namespace');
    assert.deepEqual(ownerKeys({ metadata: { name: 'bare' } }, RESOURCES.deployments), []);
    const clusterScoped = { metadata: { name: 'n', ownerReferences: owned.metadata.ownerReferences } };
    assert.deepEqual(
      ownerKeys(clusterScoped, RESOURCES.deployments),
      [],
      'namespaced owner of a cluster object',
    );
  });

  it('enqueues the mapped keys of both versions of an update, once each', () => {
    const keys: string[] = [];
    const controller = { enqueue: (k: string) => void keys.push(k) };
    type Cm = KubeObject & { data: { users: string } };
    const cm = (users: string): Cm => ({ metadata: { name: 'cm', namespace: 'ns' }, data: { users } });
    const h = enqueueMapped<Cm>(controller, (o) => o.data.users.split(','));
    h.onAdd?.(cm('a,b'));
    assert.deepEqual(keys.splice(0), ['a', 'b']);
    h.onUpdate?.(cm('a,b'), cm('b,c'));
    assert.deepEqual(keys.splice(0), ['a', 'b', 'c']);
    h.onDelete?.(cm('c'));
    assert.deepEqual(keys.splice(0), ['c']);
    enqueueObject(controller).onAdd?.(cm(''));
    assert.deepEqual(keys, ['ns/cm']);
  });
});
