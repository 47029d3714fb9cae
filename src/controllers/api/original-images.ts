// Another writer's revert (SPEC §1.4 "GitOps reverts are respected"): a workload lifeboat rewrote
// carries `lifeboat.dev/original-images`; when a GitOps tool re-applies its manifest the images are
// the originals again while the annotation (which the manifest does not name) stays. Lifeboat then
// leaves the workload as that writer wants: rewriting it again would start a rollout loop between
// the two writers.
import { isBackupImage, parseNormalizedNamed, type BackupMapping } from '../../reference/index.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from './labels.ts';
import { workloadImages } from './workload-images.ts';
import type { Workload, WorkloadKind } from './workload-types.ts';

/**
 * The annotation as container name → original image; undefined when absent or not a JSON object of
 * strings (someone else's edit: it vouches for nothing, so nothing is inferred from it).
 */
export function originalImagesOf(workload: Workload): Record<string, string> | undefined {
  const raw = workload.metadata?.annotations?.[ORIGINAL_IMAGES_ANNOTATION];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) return undefined;
  return Object.fromEntries(entries);
}

/** True when `image` parses and lies in the backup area. */
export function runsBackupImage(image: string, mapping: BackupMapping): boolean {
  try {
    return isBackupImage(parseNormalizedNamed(image), mapping);
  } catch {
    return false;
  }
}

/**
 * Reverted: the annotation lists containers, every listed container the workload still has runs
 * exactly its original image (as written), at least one of them does, and no container runs a
 * backup image. A container the annotation lists but the workload no longer has does not count
 * either way (a manifest may have dropped it). Images changed to anything else are not a revert:
 * the normal flow backs them up and rewrites them.
 */
export function isReverted(kind: WorkloadKind, workload: Workload, mapping: BackupMapping): boolean {
  const originals = originalImagesOf(workload);
  if (originals === undefined) return false;
  const images = workloadImages(kind, workload);
  if (images.some((i) => runsBackupImage(i.image, mapping))) return false;
  const listed = images.filter((i) => Object.hasOwn(originals, i.container));
  return listed.length > 0 && listed.every((i) => originals[i.container] === i.image);
}
