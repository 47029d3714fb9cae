// `lifeboat restore`: the one guarded JSON patch that undoes lifeboat's rewrite of a workload, planned
// from the ORIGINAL_IMAGES annotation (container name → image it ran before the rewrite). Pure.
//
// Per listed container:
//   restore   it runs a backup of its original (the repository its original maps to, under any
//             backup registry, prefix and mapping mode; same tag, same pinned digest): test + replace
//   original  it runs its original again (another writer restored it): nothing to do
//   changed   it runs something else (a writer changed it since): left as that writer wants
//   missing   no container of that name any more: nothing to do
// The annotation is removed (after a `test` of the value read), and CHANGE_CAUSE too when it is
// lifeboat's own (`lifeboat: …`): a person's or a tool's change cause is not ours to remove. Every
// write is guarded, so a patch planned on a stale read fails as a whole (422) and is planned again.
import { LifeboatError } from '../../common/errors.ts';
import { backupMapping, mapRepository, parseNormalizedNamed } from '../../reference/index.ts';
import type { ImageReference } from '../../reference/index.ts';
import { CHANGE_CAUSE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { workloadImages } from '../api/workload-images.ts';
import { imagesPatch, removeAnnotationsPatch } from './patch.ts';
import type { JsonPatchOp, Workload, WorkloadKind } from '../api/workload-types.ts';

/** The change cause lifeboat's rewrite sets starts with this (`lifeboat: images moved to …`). */
export const LIFEBOAT_CHANGE_CAUSE_PREFIX = 'lifeboat: ';

export type ContainerRestoreAction = 'restore' | 'original' | 'changed' | 'missing';

export interface ContainerRestore {
  readonly container: string;
  /** What the annotation lists. */
  readonly original: string;
  /** What the container runs now; absent for `missing`. */
  readonly current?: string;
  readonly action: ContainerRestoreAction;
}

export interface RestorePlan {
  /** In annotation order. */
  readonly containers: readonly ContainerRestore[];
  /** Image replacements (each after a test) and the annotations' removal; never empty. */
  readonly patch: readonly JsonPatchOp[];
}

/** The annotation is not a JSON object of strings: nothing can be restored from it. */
export class RestoreAnnotationError extends LifeboatError {
  readonly code = 'RESTORE_ANNOTATION_INVALID';
  readonly temporary = false;
  constructor(detail: string) {
    super(`annotation ${ORIGINAL_IMAGES_ANNOTATION} is not a JSON object of container → image: ${detail}`);
    this.name = 'RestoreAnnotationError';
  }
}

/** Container → original image, as the rewrite wrote it. Throws RestoreAnnotationError. */
export function originalImages(value: string): ReadonlyMap<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new RestoreAnnotationError(err instanceof Error ? err.message : String(err));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RestoreAnnotationError(JSON.stringify(parsed));
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const bad = entries.find(([, image]) => typeof image !== 'string' || image === '');
  if (bad !== undefined) throw new RestoreAnnotationError(`container ${JSON.stringify(bad[0])}`);
  return new Map(entries as [string, string][]);
}

const parseOrUndefined = (image: string): ImageReference | undefined => {
  try {
    return parseNormalizedNamed(image);
  } catch {
    return undefined;
  }
};

/**
 * True when `image` is a copy of `original` as the rewrite names it: its repository ends with what
 * `original` maps to below any prefix (nested or flattened) on the registry `image` names, its tag
 * is the original's (`latest` for an untagged original), and a digest the original pins is kept.
 * The backup registry need not be known: restore runs without lifeboat's flags.
 */
export function isBackupOf(image: string, original: string): boolean {
  const ref = parseOrUndefined(image);
  const source = parseOrUndefined(original);
  if (ref === undefined || source === undefined || ref.name() === source.name()) return false;
  if (source.digest !== undefined && ref.digest !== source.digest) return false;
  const tag = source.tag ?? (source.digest === undefined ? 'latest' : undefined);
  if (ref.tag !== tag && ref.tag !== undefined) return false;
  return [false, true].some((flatten) => {
    let below: string;
    try {
      below = mapRepository(source, backupMapping({ backupRegistry: ref.domain, flatten })).path;
    } catch {
      return false; // this mode cannot map the original onto that registry
    }
    return ref.path === below || ref.path.endsWith(`/${below}`);
  });
}

/** The restore of one workload; undefined when it carries no ORIGINAL_IMAGES annotation. */
export function planRestore(kind: WorkloadKind, workload: Workload): RestorePlan | undefined {
  const annotations = workload.metadata?.annotations ?? {};
  const value = annotations[ORIGINAL_IMAGES_ANNOTATION];
  if (value === undefined) return undefined;
  const originals = originalImages(value);
  const running = new Map(workloadImages(kind, workload).map((i) => [i.container, i.image]));
  const containers = [...originals].map(([container, original]): ContainerRestore => {
    const current = running.get(container);
    if (current === undefined) return { container, original, action: 'missing' };
    if (current === original) return { container, original, current, action: 'original' };
    return { container, original, current, action: isBackupOf(current, original) ? 'restore' : 'changed' };
  });
  const restored = new Map(
    containers.filter((c) => c.action === 'restore').map((c) => [c.container, c.original]),
  );
  const cause = annotations[CHANGE_CAUSE_ANNOTATION];
  const keys = [
    ORIGINAL_IMAGES_ANNOTATION,
    ...(cause?.startsWith(LIFEBOAT_CHANGE_CAUSE_PREFIX) ? [CHANGE_CAUSE_ANNOTATION] : []),
  ];
  return {
    containers,
    patch: [
      ...imagesPatch(kind, workload, (image) => restored.get(image.container)),
      ...removeAnnotationsPatch(workload, keys),
    ],
  };
}
