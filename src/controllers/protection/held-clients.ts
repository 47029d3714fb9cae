// One registry client per backup repository for the whole of a `verify` run. The registry access
// (image-backups/registry-access.ts) reads the login Secret at each borrow, which suits a copy; a
// check makes hundreds of small requests, so each repository's client is borrowed once and held
// until `close` (the Secret read once per repository, connections and tokens reused).
import type { ImageRepository, RegistryClient } from '../../registry/index.ts';
import type { WithClient } from './check-backups.ts';

export interface HeldClients {
  readonly withClient: WithClient;
  /** Gives every held client back; resolves once every borrow has settled. */
  close(): Promise<void>;
}

export function holdClients(borrow: WithClient): HeldClients {
  const held = new Map<string, Promise<RegistryClient>>();
  const borrows: Promise<unknown>[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));

  function clientOf(repository: ImageRepository): Promise<RegistryClient> {
    const key = `${repository.domain}/${repository.path}`;
    const known = held.get(key);
    if (known !== undefined) return known;
    const client = new Promise<RegistryClient>((resolve, reject) => {
      const borrowed = borrow(repository, async (c) => {
        resolve(c);
        await released;
      });
      borrowed.catch(reject);
      borrows.push(borrowed.catch(() => undefined));
    });
    held.set(key, client);
    return client;
  }

  return {
    withClient: async (repository, fn) => fn(await clientOf(repository)),
    async close() {
      release();
      await Promise.all(borrows);
    },
  };
}
