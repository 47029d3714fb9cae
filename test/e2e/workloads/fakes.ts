// Test doubles of what surrounds the workload controller in the integration suite: a RegistryProbe
// whose answers (and faults) the test decides, the ImageBackup controller played by the test itself
// (a loop that marks this run's backups Ready), and the CRD installed for the suite.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../src/devenv/index.ts';
import {
  isAlreadyExists,
  RESOURCES,
  resourceClient,
  type KubeApi,
  type NamedObject,
} from '../../../src/kube/index.ts';
import { imageBackupCrd } from '../../../src/controllers/api/crd.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup, PullSecretRef } from '../../../src/controllers/api/image-backup-schema.ts';
import type { RegistryProbe } from '../../../src/controllers/api/registry-probe.ts';

interface Crd extends NamedObject {
  metadata: NamedObject['metadata'] & { deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

/**
 * Installs the ImageBackup CRD unless it is there; waits out a deletion another suite left running
 * (the CRD suite deletes it in the background). True when this call created it.
 */
export async function ensureImageBackupCrd(api: KubeApi): Promise<boolean> {
  const crds = resourceClient<Crd>(api, RESOURCES.customResourceDefinitions);
  const crd = imageBackupCrd();
  let created = false;
  await waitFor(
    async () => {
      const found = await crds.find(crd.metadata.name);
      if (found?.metadata.deletionTimestamp !== undefined) return false;
      if (found === undefined) {
        try {
          await crds.create(crd);
          created = true;
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
        return false;
      }
      return found.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    },
    { what: 'ImageBackup CRD installed and Established', timeoutMs: 120_000 },
  );
  return created;
}

export interface FakeProbe extends RegistryProbe {
  /** Whether the backup registry holds `repository@digest`; default yes. */
  present: (repository: string, digest: string) => boolean;
  /** Whether these refs can read `source`; default yes. */
  readable: (source: string, refs: readonly PullSecretRef[]) => boolean;
  /** Runs inside `backupManifestPresent`, after lifeboat read the workload and before it patches it. */
  beforeAnswer: ((repository: string) => Promise<void>) | undefined;
  readonly heads: string[];
  readonly readChecks: { source: string; refs: string[] }[];
}

export function fakeProbe(): FakeProbe {
  const probe: FakeProbe = {
    present: () => true,
    readable: () => true,
    beforeAnswer: undefined,
    heads: [],
    readChecks: [],
    async backupManifestPresent(repository, digest) {
      probe.heads.push(`${repository}@${digest}`);
      await probe.beforeAnswer?.(repository);
      return probe.present(repository, digest);
    },
    sourceReadable(source, refs) {
      probe.readChecks.push({ source, refs: refs.map((r) => `${r.namespace}/${r.name}`) });
      return Promise.resolve(probe.readable(source, refs));
    },
  };
  return probe;
}

/** The digest the fake copy "pushed": the source's own when it pins one, else one derived from it. */
export function copiedDigest(source: string): string {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(source);
  return pinned?.[1] ?? `sha256:${createHash('sha256').update(source).digest('hex')}`;
}

export interface FakeBackupController {
  /** Sources (substring match) whose backups stay as they are. */
  readonly hold: Set<string>;
  /** Sources (substring match) whose copy needed credentials: `status.private`. */
  readonly privateSources: Set<string>;
  /** Names of backups seen set back to Pending after they were Ready. */
  readonly resetToPending: Set<string>;
  /** This run's backups as last listed. */
  backups(): Promise<ImageBackup[]>;
  stop(): Promise<void>;
}

/**
 * Plays the ImageBackup controller for backups whose source contains `marker`: every one not held
 * is made Ready (with `private` as configured) a moment after it appears or is set back to Pending.
 */
export function fakeBackupController(api: KubeApi, marker: string): FakeBackupController {
  const client = imageBackupClient(api);
  const hold = new Set<string>();
  const privateSources = new Set<string>();
  const resetToPending = new Set<string>();
  const wasReady = new Set<string>();
  let stopped = false;
  const mine = async (): Promise<ImageBackup[]> =>
    (await client.listAll()).filter((b) => b.spec.source.includes(marker));
  const matches = (set: Set<string>, source: string): boolean => [...set].some((s) => source.includes(s));
  const loop = (async () => {
    while (!stopped) {
      try {
        for (const b of await mine()) {
          const name = b.metadata.name;
          if (b.status?.phase === 'Ready') wasReady.add(name);
          else if (wasReady.has(name) && b.status?.phase === 'Pending') resetToPending.add(name);
          if (b.status?.phase === 'Ready' || matches(hold, b.spec.source)) continue;
          await client.patchStatus(name, {
            status: {
              phase: 'Ready',
              targetDigest: copiedDigest(b.spec.source),
              private: matches(privateSources, b.spec.source),
            },
          });
          wasReady.add(name);
        }
      } catch {
        // The next round sees the fresh state.
      }
      await sleep(100);
    }
  })();
  return {
    hold,
    privateSources,
    resetToPending,
    backups: mine,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
