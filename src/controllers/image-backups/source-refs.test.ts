import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKUP_NAME_INDEX, backupNamesOf } from '../api/backup-index.ts';
import type { ServiceAccountLike } from '../api/pull-secret-refs.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import { sourcePullSecretRefs, type WorkloadObject } from './source-refs.ts';

const IMAGE = 'registry.example/team/app:1';

const deployment = (
  namespace: string,
  name: string,
  o: { image?: string; pullSecrets?: string[]; serviceAccount?: string } = {},
): WorkloadObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace, name },
  spec: {
    template: {
      spec: {
        containers: [{ name: 'app', image: o.image ?? IMAGE }],
        ...(o.pullSecrets ? { imagePullSecrets: o.pullSecrets.map((n) => ({ name: n })) } : {}),
        ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
      },
    },
  },
});

/** A cache indexed as the shared informer indexes it (api/backup-index.ts). */
function cache(kind: WorkloadKind, objects: WorkloadObject[]) {
  return {
    byIndex(index: string, value: string): WorkloadObject[] {
      assert.equal(index, BACKUP_NAME_INDEX);
      return objects.filter((w) => backupNamesOf(kind, w).includes(value));
    },
  };
}

const nameOf = (image: string): string => backupNamesOf('Deployment', deployment('x', 'x', { image }))[0]!;

describe('sourcePullSecretRefs', () => {
  it("collects the pull Secrets of every workload that runs the image, each namespace's own", () => {
    const accounts = new Map<string, ServiceAccountLike>([
      ['b/default', { imagePullSecrets: [{ name: 'lifeboat-pull' }, { name: 'sa-creds' }] }],
      ['a/builder', { imagePullSecrets: [{ name: 'builder-creds' }] }],
    ]);
    const refs = sourcePullSecretRefs(
      {
        workloads: new Map([
          [
            'Deployment',
            cache('Deployment', [
              deployment('b', 'web', { pullSecrets: ['creds'] }),
              deployment('a', 'api', { pullSecrets: ['creds', 'creds'], serviceAccount: 'builder' }),
              deployment('a', 'other', {
                image: 'registry.example/team/other:1',
                pullSecrets: ['unrelated'],
              }),
              deployment('b', 'again', { pullSecrets: ['creds'] }),
            ]),
          ],
        ]),
        serviceAccounts: { get: (key) => accounts.get(key) },
      },
      nameOf(IMAGE),
    );
    assert.deepEqual(refs, [
      { namespace: 'a', name: 'creds' },
      { namespace: 'a', name: 'builder-creds' },
      { namespace: 'b', name: 'creds' },
      { namespace: 'b', name: 'lifeboat-pull' },
      { namespace: 'b', name: 'sa-creds' },
    ]);
  });

  it('is empty when no cached workload runs the image', () => {
    const refs = sourcePullSecretRefs(
      {
        workloads: new Map([
          ['Deployment', cache('Deployment', [deployment('a', 'x', { pullSecrets: ['c'] })])],
        ]),
        serviceAccounts: { get: () => undefined },
      },
      nameOf('registry.example/team/unused:1'),
    );
    assert.deepEqual(refs, []);
  });
});
