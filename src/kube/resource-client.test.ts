import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError } from './api-client-errors.ts';
import type { KubeRequester, RawRequestOptions } from './api-client.ts';
import { RESOURCES, resourcePath } from './resource.ts';
import { isAlreadyExists, isConflict, isInvalid, isNotFound, resourceClient } from './resource-client.ts';

/** Records every request and answers from `reply` (throwing answers are errors). */
function recorder(reply: (req: RawRequestOptions) => unknown = () => ({})) {
  const calls: (RawRequestOptions & { retry?: boolean })[] = [];
  const api: KubeRequester = {
    request: () => Promise.reject(new Error('streams are not used here')),
    // eslint-disable-next-line @typescript-eslint/require-await -- async turns a throwing `reply` into a rejection
    requestJson: async <T>(req: RawRequestOptions & { retry?: boolean }) => {
      calls.push(req);
      return reply(req) as T;
    },
  };
  return { api, calls };
}

const status = (code: number, reason?: string) =>
  new KubeApiError({ method: 'X', path: '/p', status: code, body: reason ? { reason } : {} });

describe('resourcePath', () => {
  const cases: [string, string][] = [
    [resourcePath(RESOURCES.namespaces), '/api/v1/namespaces'],
    [resourcePath(RESOURCES.namespaces, { name: 'a' }), '/api/v1/namespaces/a'],
    [resourcePath(RESOURCES.deployments), '/apis/apps/v1/deployments'],
    [resourcePath(RESOURCES.secrets, { namespace: 'ns', name: 'x' }), '/api/v1/namespaces/ns/secrets/x'],
    [
      resourcePath(RESOURCES.deployments, { namespace: 'ns', name: 'd', subresource: 'status' }),
      '/apis/apps/v1/namespaces/ns/deployments/d/status',
    ],
    [
      resourcePath(RESOURCES.configMaps, { namespace: 'a b', name: 'c/d' }),
      '/api/v1/namespaces/a%20b/configmaps/c%2Fd',
    ],
  ];
  for (const [got, want] of cases) it(want, () => assert.equal(got, want));

  it('refuses a namespace for a cluster-scoped resource and a subresource without a name', () => {
    assert.throws(() => resourcePath(RESOURCES.namespaces, { namespace: 'x' }), TypeError);
    assert.throws(() => resourcePath(RESOURCES.pods, { subresource: 'status' }), TypeError);
  });
});

describe('resourceClient', () => {
  it('sends each verb to its path with its content type and our field manager', async () => {
    const { api, calls } = recorder();
    const secrets = resourceClient(api, RESOURCES.secrets);
    await secrets.get('s', { namespace: 'ns' });
    await secrets.list({ namespace: 'ns', labelSelector: 'a=b', limit: 10 });
    await secrets.create({ metadata: { name: 's', namespace: 'ns' } });
    await secrets.jsonPatch('s', [{ op: 'test', path: '/type', value: 'x' }], {
      namespace: 'ns',
      dryRun: true,
    });
    await secrets.mergePatch('s', { data: {} }, { namespace: 'ns', fieldManager: 'other' });
    await secrets.delete('s', { namespace: 'ns', preconditions: { uid: 'u1' } });
    assert.deepEqual(
      calls.map((c) => [c.method ?? 'GET', c.path, c.contentType, c.query?.fieldManager, c.query?.dryRun]),
      [
        ['GET', '/api/v1/namespaces/ns/secrets/s', undefined, undefined, undefined],
        ['GET', '/api/v1/namespaces/ns/secrets', undefined, undefined, undefined],
        ['POST', '/api/v1/namespaces/ns/secrets', undefined, 'lifeboat', undefined],
        ['PATCH', '/api/v1/namespaces/ns/secrets/s', 'application/json-patch+json', 'lifeboat', 'All'],
        ['PATCH', '/api/v1/namespaces/ns/secrets/s', 'application/merge-patch+json', 'other', undefined],
        ['DELETE', '/api/v1/namespaces/ns/secrets/s', undefined, undefined, undefined],
      ],
    );
    assert.deepEqual(calls[1]!.query, {
      labelSelector: 'a=b',
      fieldSelector: undefined,
      limit: 10,
      continue: undefined,
    });
    assert.deepEqual(calls[2]!.body, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns' },
    });
    assert.deepEqual((calls[5]!.body as { preconditions: unknown }).preconditions, { uid: 'u1' });
  });

  it('patches status through the status subresource and passes send options through', async () => {
    const { api, calls } = recorder();
    const leases = resourceClient(api, RESOURCES.leases);
    await leases.patchStatus(
      'l',
      { x: 1 },
      { namespace: 'ns', timeoutMs: 5, rateLimited: false, retry: false },
    );
    assert.equal(calls[0]!.path, '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l/status');
    assert.equal(calls[0]!.timeoutMs, 5);
    assert.equal(calls[0]!.rateLimited, false);
    assert.equal(calls[0]!.retry, false);
  });

  it('find answers undefined for 404, delete ignores 404, both throw anything else', async () => {
    const notFound = resourceClient(
      recorder(() => {
        throw status(404);
      }).api,
      RESOURCES.pods,
    );
    assert.equal(await notFound.find('x', { namespace: 'n' }), undefined);
    await notFound.delete('x', { namespace: 'n' });
    const forbidden = resourceClient(
      recorder(() => {
        throw status(403);
      }).api,
      RESOURCES.pods,
    );
    await assert.rejects(forbidden.find('x', { namespace: 'n' }), (e: unknown) => e instanceof KubeApiError);
    await assert.rejects(
      forbidden.delete('x', { namespace: 'n' }),
      (e: unknown) => e instanceof KubeApiError,
    );
  });
});

describe('error predicates', () => {
  it('classify by status and reason', () => {
    assert.deepEqual(
      [status(404), status(409, 'Conflict'), status(409, 'AlreadyExists'), status(422), new Error('x')].map(
        (e) => [isNotFound(e), isConflict(e), isAlreadyExists(e), isInvalid(e)],
      ),
      [
        [true, false, false, false],
        [false, true, false, false],
        [false, false, true, false],
        [false, false, false, true],
        [false, false, false, false],
      ],
    );
  });
});
