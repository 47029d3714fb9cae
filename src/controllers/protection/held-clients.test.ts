import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageRepository, RegistryClient } from '../../registry/index.ts';
import { holdClients } from './held-clients.ts';

describe('holdClients', () => {
  it('borrows once per repository, holds the client until close, and gives every one back', async () => {
    const borrowed: string[] = [];
    let outstanding = 0;
    const held = holdClients(async <T>(repo: ImageRepository, fn: (c: RegistryClient) => Promise<T>) => {
      borrowed.push(repo.path);
      outstanding++;
      try {
        return await fn({ host: repo.domain } as RegistryClient);
      } finally {
        outstanding--;
      }
    });
    const a = { domain: 'r.example', path: 'a' };
    const hosts = await Promise.all([
      held.withClient(a, (c) => Promise.resolve(c.host)),
      held.withClient(a, (c) => Promise.resolve(c.host)),
      held.withClient({ domain: 'r.example', path: 'b' }, (c) => Promise.resolve(c.host)),
    ]);
    assert.deepEqual(hosts, ['r.example', 'r.example', 'r.example']);
    assert.deepEqual(borrowed, ['a', 'b']);
    assert.equal(outstanding, 2, 'held until close');
    await held.close();
    assert.equal(outstanding, 0);
  });

  it('a borrow that fails fails the calls of that repository', async () => {
    const held = holdClients(() => Promise.reject(new Error('no login')));
    await assert.rejects(
      held.withClient({ domain: 'r', path: 'a' }, () => Promise.resolve(1)),
      /no login/,
    );
    await held.close();
  });
});
