// The backup registry's own garbage collector with untagged deletion (distribution's `registry
// garbage-collect --delete-untagged`, run offline) must not delete what a backup holds. A backup of a
// digest-only source is untagged without anchors: the collector deletes its index and children
// (the defect); with anchors every manifest and blob survives. Results are read by crane and regctl.
//
// The pinned distribution is v3 (tools/registry), whose collector keeps the children of a TAGGED index;
// distribution 2.x deletes them too, which the children's anchors also prevent. That case does not
// reproduce here, so the digest-only index (untagged in both versions) is the one this test collects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  pushIndex,
  runTool,
  startRegistry,
  type LocalRegistry,
  type PushedIndex,
} from '../../../src/devenv/index.ts';
import { copyImage } from '../../../src/registry/copy/index.ts';
import { createRegistryClient, type ClosableRegistryClient } from '../../../src/registry/index.ts';
import { startGcRegistry, type GcRegistry } from './gc-registry.ts';

const clients: ClosableRegistryClient[] = [];

function clientFor(host: string): ClosableRegistryClient {
  const client = createRegistryClient({ host, insecure: true });
  clients.push(client);
  return client;
}

interface Held {
  readonly manifests: readonly string[];
  readonly blobs: readonly string[];
}

describe('garbage collection with untagged deletion on a backup registry (distribution)', () => {
  let src: LocalRegistry;
  let backup: GcRegistry;

  before(async () => {
    [src, backup] = await Promise.all([startRegistry(), startGcRegistry()]);
  });
  after(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await Promise.allSettled([src?.stop(), backup?.close()]);
  });

  const tool = async (name: string, args: string[], registry: LocalRegistry): Promise<string> =>
    (await runTool(name, args, { registries: [registry] })).stdout;

  /** The manifests (index and children) and blobs (configs and layers) of a pushed index. */
  const contentsOf = async (index: PushedIndex): Promise<Held> => {
    const blobs: string[] = [];
    for (const child of index.children) {
      const manifest = JSON.parse(
        await tool(
          'crane',
          ['manifest', '--insecure', child.ref.replace(/:[^:/]+$/, `@${child.digest}`)],
          src,
        ),
      ) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      blobs.push(manifest.config.digest, ...manifest.layers.map((l) => l.digest));
    }
    return { manifests: [index.digest, ...index.children.map((c) => c.digest)], blobs };
  };

  /** Which of `held` the backup registry serves in `repository` (crane for manifests, regctl for blobs). */
  const present = async (
    repository: string,
    held: Held,
  ): Promise<{ manifests: boolean[]; blobs: boolean[] }> => {
    const registry = backup.current();
    const ok = (p: Promise<unknown>): Promise<boolean> =>
      p.then(
        () => true,
        () => false,
      );
    return {
      manifests: await Promise.all(
        held.manifests.map((d) =>
          ok(tool('crane', ['manifest', '--insecure', `${registry.host}/${repository}@${d}`], registry)),
        ),
      ),
      blobs: await Promise.all(
        held.blobs.map((d) =>
          ok(tool('regctl', ['blob', 'head', `${registry.host}/${repository}`, d], registry)),
        ),
      ),
    };
  };

  const copyByDigest = async (index: PushedIndex, repository: string, anchor: boolean): Promise<void> => {
    const path = index.ref.slice(src.host.length + 1).replace(/:[^:/]+$/, '');
    await copyImage({
      source: { client: clientFor(src.host), repository: path, reference: index.digest },
      target: { client: clientFor(backup.current().host), repository, reference: index.digest },
      anchor,
    });
  };

  it('keeps every manifest and blob of an anchored digest-only index; deletes the unanchored one', async () => {
    const options = {
      layers: 2,
      layerSize: 20_000,
      platforms: ['linux/amd64', 'linux/arm64'],
      mediaTypes: 'oci',
    } as const;
    const anchoredIndex = await pushIndex(src, 'gc/anchored:v1', options);
    const plainIndex = await pushIndex(src, 'gc/plain:v1', options);
    const anchored = await contentsOf(anchoredIndex);
    const plain = await contentsOf(plainIndex);
    await copyByDigest(anchoredIndex, 'backup/anchored', true);
    await copyByDigest(plainIndex, 'backup/plain', false);
    const all = (held: Held) => ({
      manifests: held.manifests.map(() => true),
      blobs: held.blobs.map(() => true),
    });
    const none = (held: Held) => ({
      manifests: held.manifests.map(() => false),
      blobs: held.blobs.map(() => false),
    });
    // Before the collection, both backups are complete.
    assert.deepEqual(await present('backup/anchored', anchored), all(anchored));
    assert.deepEqual(await present('backup/plain', plain), all(plain));

    await backup.stop();
    const log = await backup.garbageCollect({ deleteUntagged: true });
    await backup.serve();

    assert.deepEqual(
      await present('backup/anchored', anchored),
      all(anchored),
      `anchored backup damaged by GC:\n${log}`,
    );
    // Without anchors the collector deletes the whole digest-only backup: what issue 15 reports.
    assert.deepEqual(
      await present('backup/plain', plain),
      none(plain),
      `the collector kept the unanchored backup:\n${log}`,
    );
  });
});
