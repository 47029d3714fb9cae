/**
 * The recheck's look at the BACKUP registry (issue 15 item 2): is what a Ready backup points at
 * still there, and is it anchored? Nothing here reads the source, which may be gone.
 * - `findMissing`: HEADs the target manifest by digest and, for an index, every child manifest
 *   (GET of the index from the backup registry, HEAD of each child, however deep). Returns what is
 *   missing, each as `repository@digest`, for the BackupDamaged Event and the status.
 * - `repairInPlace`: a copy from the backup registry to itself (`target@targetDigest` →
 *   the target's tag or digest) with anchors on: the copy engine finds the image present and writes
 *   the anchor tags that are missing (a GET of a manifest from the backup registry and one PUT), and
 *   puts the backup's own tag back on `targetDigest` when it was deleted. It never moves the tag to
 *   another digest: the only digest it knows is the backup's own.
 */
import type { Logger } from 'pino';
import { parseNormalizedNamed } from '../../reference/index.ts';
import { listChildren, manifestKind, parseManifest } from '../../registry/manifest/index.ts';
import {
  copyImage,
  copyTargetReference,
  type CopyResult,
  type CopyScheduler,
  type RegistryClient,
} from '../../registry/index.ts';
import type { ImageBackupSpec } from '../api/image-backup-schema.ts';
import type { RegistryAccess } from './registry-access.ts';

/** Manifests under one index followed at most (an index of indexes of … is not an image). */
const MAX_MANIFESTS = 1_000;

export async function findMissing(
  access: Pick<RegistryAccess, 'withPushClient'>,
  target: string,
  targetDigest: string,
  signal: AbortSignal,
): Promise<string[]> {
  const ref = parseNormalizedNamed(target);
  return access.withPushClient(ref, async (client) => {
    const missing: string[] = [];
    const seen = new Set<string>();
    const queue = [targetDigest];
    while (queue.length > 0 && seen.size < MAX_MANIFESTS) {
      const digest = queue.shift()!;
      if (seen.has(digest)) continue;
      seen.add(digest);
      const head = await client.headManifest(ref.path, digest, { signal });
      if (head === undefined) {
        missing.push(`${ref.domain}/${ref.path}@${digest}`);
        continue;
      }
      if (manifestKind(head.mediaType) !== 'index') continue;
      queue.push(...(await childrenOf(client, ref.path, digest, signal)));
    }
    return missing;
  });
}

async function childrenOf(
  client: RegistryClient,
  repository: string,
  digest: string,
  signal: AbortSignal,
): Promise<string[]> {
  const read = await client.getManifest(repository, digest, { signal });
  return listChildren(parseManifest(read.bytes, read.mediaType)).manifests.map((m) => m.digest);
}

export interface RepairOptions {
  readonly access: Pick<RegistryAccess, 'withPushClient'>;
  readonly spec: Pick<ImageBackupSpec, 'source' | 'target'>;
  readonly targetDigest: string;
  readonly scheduler: CopyScheduler;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Writes missing anchors (and the backup's tag, if deleted) from the backup registry's own bytes. */
export async function repairInPlace(o: RepairOptions): Promise<CopyResult> {
  const source = parseNormalizedNamed(o.spec.source);
  const target = parseNormalizedNamed(o.spec.target);
  return o.access.withPushClient(target, (client) =>
    copyImage({
      source: { client, repository: target.path, reference: o.targetDigest },
      target: { client, repository: target.path, reference: copyTargetReference(source, target) },
      anchor: true,
      scheduler: o.scheduler,
      signal: o.signal,
      logger: o.logger,
    }),
  );
}
