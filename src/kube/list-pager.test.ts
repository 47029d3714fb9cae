import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError } from './api-client-errors.ts';
import { listAllPages, listKubeObjects } from './list-pager.ts';
import type { KubeRequester } from './api-client.ts';
import type { ListPage } from './list-pager.ts';

describe('listAllPages', () => {
  it('follows continue tokens and returns every item with the snapshot resourceVersion', async () => {
    const pages: Record<string, ListPage<number>> = {
      start: { items: [1, 2], resourceVersion: '10', continueToken: 't1' },
      t1: { items: [3, 4], resourceVersion: '10', continueToken: 't2' },
      t2: { items: [5], resourceVersion: '10', continueToken: '' },
    };
    const asked: (string | undefined)[] = [];
    const result = await listAllPages((token) => {
      asked.push(token);
      return Promise.resolve(pages[token ?? 'start']!);
    });
    assert.deepEqual(result, { items: [1, 2, 3, 4, 5], resourceVersion: '10', pages: 3 });
    assert.deepEqual(asked, [undefined, 't1', 't2']);
  });

  it('starts over once when a continue token has expired (410)', async () => {
    let calls = 0;
    const result = await listAllPages((token) => {
      calls++;
      if (calls === 2) throw new KubeApiError({ method: 'GET', path: '/x', status: 410 });
      return Promise.resolve(
        token
          ? { items: [2], resourceVersion: '7' }
          : { items: [1], resourceVersion: '7', continueToken: 'c' },
      );
    });
    assert.deepEqual(result.items, [1, 2]);
    assert.equal(calls, 4);
  });

  it('gives up after a second expiry and on other errors', async () => {
    await assert.rejects(
      listAllPages((token) => {
        if (token) throw new KubeApiError({ method: 'GET', path: '/x', status: 410 });
        return Promise.resolve({ items: [1], resourceVersion: '7', continueToken: 'c' });
      }),
      (err: unknown) => err instanceof KubeApiError && err.status === 410,
    );
    await assert.rejects(
      listAllPages(() => Promise.reject(new KubeApiError({ method: 'GET', path: '/x', status: 403 }))),
      (err: unknown) => err instanceof KubeApiError && err.status === 403,
    );
  });

  it('stops a server that never ends the list', async () => {
    await assert.rejects(
      listAllPages(() => Promise.resolve({ items: [], resourceVersion: '1', continueToken: 'again' }), 5),
      /did not end after 5 pages/,
    );
  });
});

describe('listKubeObjects', () => {
  it('prepares each page as it arrives, before the next is asked for, with apiVersion and kind filled in', async () => {
    const log: string[] = [];
    const pages = [
      {
        kind: 'DeploymentList',
        apiVersion: 'apps/v1',
        metadata: { resourceVersion: '5', continue: 'c1' },
        items: [{ metadata: { name: 'a' } }],
      },
      {
        kind: 'DeploymentList',
        apiVersion: 'apps/v1',
        metadata: { resourceVersion: '5' },
        items: [{ metadata: { name: 'b' } }],
      },
    ];
    const api: KubeRequester = {
      request: () => Promise.reject(new Error('not used')),
      requestJson: <T>(req: { query?: Record<string, unknown> }) => {
        log.push(`page ${(req.query?.['continue'] as string | undefined) ?? 'first'}`);
        return Promise.resolve(
          structuredClone(pages[log.filter((l) => l.startsWith('page')).length - 1]) as T,
        );
      },
    };
    const result = await listKubeObjects(api, {
      path: '/apis/apps/v1/deployments',
      limit: 1,
      prepare: (obj) => {
        log.push(`prepare ${obj.metadata.name} ${obj.apiVersion} ${obj.kind}`);
        return obj.metadata.name;
      },
    });
    assert.deepEqual(result, { items: ['a', 'b'], resourceVersion: '5', pages: 2 });
    assert.deepEqual(log, [
      'page first',
      'prepare a apps/v1 Deployment',
      'page c1',
      'prepare b apps/v1 Deployment',
    ]);
  });
});
