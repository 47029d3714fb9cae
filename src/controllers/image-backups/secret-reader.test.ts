import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeRequester } from '../../kube/index.ts';
import type { SecretObject } from '../api/core-objects.ts';
import { createSecretReader, informerSecretCache, isSecretProblem } from './secret-reader.ts';

const CONFIG = Buffer.from('{"auths":{}}').toString('base64');

const secret = (namespace: string, name: string, labels?: Record<string, string>): SecretObject => ({
  metadata: { namespace, name, resourceVersion: '5', ...(labels ? { labels } : {}) },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': CONFIG },
});

/** An API that answers every GET with `answer` and counts the calls. */
function api(answer: SecretObject) {
  let gets = 0;
  const requester = {
    requestJson: () => {
      gets++;
      return Promise.resolve(answer);
    },
  } as unknown as KubeRequester;
  return { requester, gets: () => gets };
}

const cacheOf = (objects: SecretObject[], synced = true) =>
  informerSecretCache(
    {
      get: (key) => objects.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === key),
      hasSynced: () => synced,
    },
    { name: 'lifeboat-pull' },
  );

describe('createSecretReader', () => {
  it('reads a Secret a synced cache covers from the cache, with no GET', async () => {
    const a = api(secret('a', 'lifeboat-pull'));
    const read = createSecretReader(a.requester, [cacheOf([secret('a', 'lifeboat-pull')])]);
    const result = await read({ namespace: 'a', name: 'lifeboat-pull' });
    assert.ok(!isSecretProblem(result));
    assert.equal(a.gets(), 0);
    const absent = await read({ namespace: 'b', name: 'lifeboat-pull' });
    assert.ok(isSecretProblem(absent) && absent.message === 'Secret b/lifeboat-pull not found');
    assert.equal(a.gets(), 0, 'absent from a synced cache that covers it: not found, no GET');
  });

  it('asks the API for a Secret no cache covers, or while the cache has not listed', async () => {
    const a = api(secret('a', 'creds'));
    const read = createSecretReader(a.requester, [cacheOf([], false)]);
    assert.ok(!isSecretProblem(await read({ namespace: 'a', name: 'creds' })));
    assert.ok(!isSecretProblem(await read({ namespace: 'a', name: 'lifeboat-pull' })));
    assert.equal(a.gets(), 2);
  });

  it("refuses lifeboat's own Secrets as a source login, quietly, and still reads them otherwise", async () => {
    const managed = secret('a', 'lifeboat-pull', { 'app.kubernetes.io/managed-by': 'lifeboat' });
    const read = createSecretReader(api(managed).requester, [cacheOf([managed])]);
    const refused = await read({ namespace: 'a', name: 'lifeboat-pull' }, { source: true });
    assert.ok(isSecretProblem(refused) && refused.managed === true, JSON.stringify(refused));
    assert.ok(!isSecretProblem(await read({ namespace: 'a', name: 'lifeboat-pull' })));
    const ownedByOthers = secret('a', 'lifeboat-pull', { 'app.kubernetes.io/managed-by': 'helm' });
    const other = createSecretReader(api(ownedByOthers).requester);
    assert.ok(!isSecretProblem(await other({ namespace: 'a', name: 'lifeboat-pull' }, { source: true })));
  });
});
