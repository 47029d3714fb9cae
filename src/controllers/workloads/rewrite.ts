// What the workload controller does for one workload (SPEC §1.4), decided from cached objects alone:
// which ImageBackups it needs, whether they are all Ready, and the ONE guarded JSON patch that moves
// the workload to them. Pure; decide.ts calls it, apply.ts performs the effects (creates, the patch,
// registry HEADs).
//
// Invariants:
// - A workload is pointed only at a backup whose phase is Ready with a `targetDigest`; a source that
//   pins a digest only at a backup holding that very digest.
// - The patch `test`s every image it replaces (imagesPatch) and every list it appends to, so a patch
//   planned from a stale read fails whole (422) and is planned again; another writer's edit survives.
// - `--require-ready` (eligibility's `not-ready`) holds back only what would need a new copy: a
//   workload not rolled out whose every image has a Ready backup is planned as an eligible one.
// - A workload already on its backups plans no patch (its images are skipped as already backed up):
//   no rollout loop. Its originals (ORIGINAL_IMAGES) still get their backups ensured, so a deleted
//   backup that is in use is re-created.
import { parseNormalizedNamed, type BackupMapping, type ImageReference } from '../../reference/index.ts';
import { backupImage, readyBackup, targetRepository } from '../api/backup-image.ts';
import { desiredImageBackup } from './desired-backup.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { backupSource } from '../api/backup-source.ts';
import { CHANGE_CAUSE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { filteredOut, type Eligibility, type IneligibleReason } from './eligibility.ts';
import { isBackupOf } from './restore.ts';
import { workloadImages } from '../api/workload-images.ts';
import { annotationsPatch, imagePullSecretPatch, imagesPatch } from './patch.ts';
import { originalImagesOf, runsBackupImage } from '../api/original-images.ts';
import type { JsonPatchOp, Workload, WorkloadKind } from '../api/workload-types.ts';

/**
 * The `lifeboat run` flags a workload's rewrite plan depends on (not reference/mapping.ts's
 * RewriteOptions, which rewrite one image reference).
 */
export interface RewritePlanFlags {
  readonly mapping: BackupMapping;
  /** `--platforms`; every platform when absent. */
  readonly platforms?: readonly string[] | undefined;
  /** `--pin-digest`: `{mapped}:{tag}@{digest}` rather than `{mapped}:{tag}`. */
  readonly pinDigest: boolean;
  /** `--backup-pull-secret`'s copy in each namespace; undefined: nothing added to imagePullSecrets. */
  readonly pullSecretName?: string | undefined;
  /** `--exclude-images`: applied to the originals of backups in use too. */
  readonly excludeImages?: readonly string[] | undefined;
  /** `--source-registries`: applied to the originals of backups in use too. */
  readonly sourceRegistries?: readonly string[] | undefined;
}

export interface RewriteInput {
  readonly kind: WorkloadKind;
  readonly workload: Workload;
  readonly eligibility: Eligibility;
  /** The ImageBackups by name (the informer's cache: key = name for a cluster-scoped object). */
  readonly backups: { get(name: string): ImageBackup | undefined };
  readonly options: RewritePlanFlags;
}

/** One ImageBackup the workload needs: created when missing, never written otherwise. */
export interface BackupNeed {
  /** As desiredImageBackup builds it (spec only). */
  readonly desired: ImageBackup;
  /** From the cache; undefined when it does not exist (create `desired`). */
  readonly current: ImageBackup | undefined;
}

/** One container moved to its backup. */
export interface ImageRewrite {
  readonly container: string;
  readonly init: boolean;
  /** As written in the workload now. */
  readonly image: string;
  readonly backupName: string;
  /** The backup repository (`spec.target` without tag or digest) and digest a HEAD must find; set once Ready. */
  readonly manifest: { readonly repository: string; readonly digest: string } | undefined;
  /** The image it becomes; undefined until its backup is Ready. */
  readonly target: string | undefined;
  /** The image it would become, without a digest the copy has yet to give (dry run). */
  readonly preview: string;
}

export interface RewritePlan {
  /** One per distinct source, images to rewrite first, then originals the workload runs from backups. */
  readonly backups: readonly BackupNeed[];
  /** The containers to move, in spec order (init containers first). */
  readonly rewrites: readonly ImageRewrite[];
  /**
   * The containers `--require-ready` holds back: the workload has not rolled out and one of them
   * (`target` undefined) has no Ready backup. Empty otherwise; never planned for, never created.
   */
  readonly heldBack: readonly ImageRewrite[];
  /**
   * The containers that run a backup image with their original recorded in ORIGINAL_IMAGES, and the
   * ImageBackup of that original (in `backups`): what the workload already runs from backups.
   */
  readonly onBackups: readonly { readonly container: string; readonly backupName: string }[];
  /** True when there is something to rewrite and every backup of it is Ready. */
  readonly ready: boolean;
  /** The one guarded patch when `ready`; empty otherwise. */
  readonly patch: JsonPatchOp[];
}

/** Refusals that mean "leave this workload alone", backups in use included. */
const HANDS_OFF: ReadonlySet<IneligibleReason> = new Set([
  'namespace-excluded',
  'namespace-terminating',
  'ignored',
  'invalid-reference',
]);

const EMPTY: RewritePlan = Object.freeze({
  backups: [],
  rewrites: [],
  heldBack: [],
  onBackups: [],
  ready: false,
  patch: [],
});

export function changeCause(mapping: BackupMapping): string {
  return `lifeboat: images moved to backup registry ${mapping.backupRegistry}`;
}

/**
 * Throws MappingError (permanent) when a source cannot be mapped into the backup registry.
 */
export function planRewrite(input: RewriteInput): RewritePlan {
  const { kind, workload, eligibility, options } = input;
  if (eligibility.reason !== undefined && HANDS_OFF.has(eligibility.reason)) return EMPTY;
  const needs = new Map<string, BackupNeed>();
  const need = (source: ImageReference): BackupNeed => {
    const desired = desiredImageBackup(source, { mapping: options.mapping, platforms: options.platforms });
    const name = desired.metadata.name;
    let found = needs.get(name);
    if (found === undefined) {
      found = { desired, current: input.backups.get(name) };
      needs.set(name, found);
    }
    return found;
  };

  const candidates: { rewrite: ImageRewrite; source: ImageReference }[] = [];
  if (eligibility.eligible || eligibility.reason === 'not-ready') {
    for (const image of eligibility.images) {
      if (image.action !== 'backup') continue;
      const source = backupSource(parseNormalizedNamed(image.image));
      const desired = desiredImageBackup(source, { mapping: options.mapping, platforms: options.platforms });
      const ready = readyBackup(input.backups.get(desired.metadata.name), source);
      const rewrite: ImageRewrite = {
        container: image.container,
        init: image.init,
        image: image.image,
        backupName: desired.metadata.name,
        manifest: ready,
        target: ready && backupImage(source, ready, options.pinDigest),
        preview: backupImage(source, { repository: targetRepository(desired), digest: undefined }, false),
      };
      candidates.push({ rewrite, source });
    }
  }
  // `--require-ready` gates only a backup's first copy, from a source never seen running: a workload
  // that has not rolled out moves at once when every image it runs has a Ready backup (one created
  // after its source vanished, pods in ImagePullBackOff, is exactly the one a lifeboat is for), and
  // otherwise neither moves nor asks for a backup.
  const gated = !eligibility.eligible && candidates.some((c) => c.rewrite.target === undefined);
  const rewrites = gated ? [] : candidates.map((c) => c.rewrite);
  if (!gated) for (const c of candidates) need(c.source);
  const onBackups = inUseOriginals(kind, workload, options).map(({ container, source }) => ({
    container,
    backupName: need(source).desired.metadata.name,
  }));

  const ready = rewrites.length > 0 && rewrites.every((r) => r.target !== undefined);
  return {
    backups: [...needs.values()],
    rewrites,
    heldBack: gated ? candidates.map((c) => c.rewrite) : [],
    onBackups,
    ready,
    patch: ready ? workloadPatch(kind, workload, rewrites, options) : [],
  };
}

/**
 * The sources of the images the workload runs from backups, as its annotation records them: their
 * backups are in use and must exist. The annotation is the workload writer's, so it vouches only
 * for what the running image proves (issue 16, B2): an entry counts when the container runs, in the
 * backup area, lifeboat's backup of exactly that original (`isBackupOf`, the rule `restore` uses), and
 * the original passes the image filters. Anything else (an entry that does not parse, a claim about
 * another image) backs up nothing: a tenant cannot have lifeboat copy an image it does not run.
 */
function inUseOriginals(
  kind: WorkloadKind,
  workload: Workload,
  options: RewritePlanFlags,
): { container: string; source: ImageReference }[] {
  const originals = originalImagesOf(workload) ?? {};
  return workloadImages(kind, workload).flatMap((image) => {
    const original = originals[image.container];
    if (original === undefined || !runsBackupImage(image.image, options.mapping)) return [];
    if (!isBackupOf(image.image, original)) return [];
    try {
      const source = parseNormalizedNamed(original);
      if (filteredOut(source, options)) return [];
      return [{ container: image.container, source: backupSource(source) }];
    } catch {
      return [];
    }
  });
}

function workloadPatch(
  kind: WorkloadKind,
  workload: Workload,
  rewrites: readonly ImageRewrite[],
  options: RewritePlanFlags,
): JsonPatchOp[] {
  const byContainer = new Map(rewrites.map((r) => [r.container, r]));
  // Entries of containers still on their backup of that very original stay (a forged entry is not
  // carried on: B2); every rewritten container gets its original.
  const kept = originalImagesOf(workload) ?? {};
  const originals: Record<string, string> = {};
  for (const image of workloadImages(kind, workload)) {
    const rewrite = byContainer.get(image.container);
    const before = kept[image.container];
    if (rewrite !== undefined) originals[image.container] = rewrite.image;
    else if (
      before !== undefined &&
      runsBackupImage(image.image, options.mapping) &&
      isBackupOf(image.image, before)
    )
      originals[image.container] = before;
  }
  return [
    ...imagesPatch(kind, workload, (image) => byContainer.get(image.container)?.target),
    ...(options.pullSecretName === undefined
      ? []
      : imagePullSecretPatch(kind, workload, options.pullSecretName)),
    ...annotationsPatch(workload, {
      [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(originals),
      [CHANGE_CAUSE_ANNOTATION]: changeCause(options.mapping),
    }),
  ];
}
