// The workload controller's decision (SPEC §1.4): from a snapshot of plain objects read from the
// caches to the ONE next step for a workload. Pure and synchronous: the controller (controller.ts)
// reads the snapshot, apply.ts performs the step, and `lifeboat status` and `lifeboat dev`'s view call
// this same function, so none of them can restate the decision differently.
//
// The steps, the first that holds:
//   1. hands off: the namespace is excluded or terminating, the workload is ignored → `leave`;
//   2. an image is not a valid reference → `report-invalid` (nothing of it is written);
//   3. another writer put the original images back → `report-reverted` (left as it is);
//   4. a source that cannot be mapped into the backup registry → `unmappable`;
//   5. dry run → `dry-run` (what would be created and rewritten), or `leave` when nothing would;
//   6. an ImageBackup it needs (its images to move, the originals it runs from backups) is missing
//      from the cache and this process is not already creating it → `create-backups`;
//   7. `--private-images=isolated`, nothing to move, and a private backup the workload runs does not
//      list its namespace in `status.readers` (rewritten before isolated mode, or by its own writer
//      under a proven original) → `check-readers`: its access is checked, and recorded when shown;
//   7b. nothing to move (every image skipped or already on a backup, or not rolled out under
//      `--require-ready` while one of its images has no Ready backup: that flag gates only a backup's
//      first copy, so a workload whose every image has a Ready backup moves at once) → `leave`;
//   8. a backup it moves to is not Ready yet → `wait` (`creating`: this process created it and the
//      cache has not shown it yet; `copying`: the ImageBackup controller has work to do);
//   8½. `--rewrite-mode=pods` → `check-readers` while a private backup (shared/isolated) does not list the
//      namespace yet, else `leave` (`rewrite-mode-pods`): the webhook moves the Pods, never the spec;
//   9. the pull secret (`--backup-pull-secret`) is not in the namespace yet → `wait` (`pull-secret`);
//  10. a backup it moves to is private (`status.private`: an anonymous HEAD was refused) under
//      `--private-images=skip` → `skip-private` (left as it is; private-images.ts);
//  11. else → `rewrite`: the one guarded patch, after apply's registry checks (the private sources in
//      `rewrite.private` readable with the namespace's refs, every manifest present).
// Under `--private-images=skip`, `create-backups` asks apply to HEAD each source anonymously first:
// a source that refuses is not backed up (`anonymousCheck`).
// Invariants: only `create-backups`, `check-readers` (readers only) and `rewrite` lead to writes; a
// workload already on its backups never reaches `rewrite` (its images are skipped as already
// backed up): no rollout loop.
import { MappingError } from '../../reference/index.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { isReverted } from '../api/original-images.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import {
  workloadEligibility,
  type Eligibility,
  type EligibilityOptions,
  type EligibilityWorkload,
  type InvalidImage,
} from './eligibility.ts';
import { planRewrite, type ImageRewrite, type RewritePlan } from './rewrite.ts';
import type { JsonPatchOp } from '../api/workload-types.ts';
import { DEFAULT_PRIVATE_IMAGES, type PrivateImages } from './private-images.ts';

/** What the decision reads, all of it from caches (or, for status, from one list of each). */
export interface WorkloadSnapshot {
  readonly kind: WorkloadKind;
  readonly workload: EligibilityWorkload;
  readonly namespace: NamespaceObject;
  /** The ImageBackups by name (the informer's cache: key = name for a cluster-scoped object). */
  readonly backups: { get(name: string): ImageBackup | undefined };
  /**
   * ImageBackups this process has created and its cache does not show yet (creation expectations):
   * they are waited for, never created twice. Empty for `lifeboat status` and `lifeboat dev`.
   */
  readonly creating?: { has(name: string): boolean } | undefined;
  /**
   * Whether `--backup-pull-secret`'s copy is in the workload's namespace; true when no pull secret
   * is configured (nothing to wait for) or when the caller cannot tell (`lifeboat status`).
   */
  readonly pullSecretPresent: boolean;
}

/** The flags the decision depends on, as `lifeboat run` reads them. */
export interface DecisionOptions {
  /** Which workloads and images are backed up; its `mapping` says where backups go. */
  readonly eligibility: EligibilityOptions;
  /** `--platforms`; every platform when absent. */
  readonly platforms?: readonly string[] | undefined;
  /** `--pin-digest`. */
  readonly pinDigest: boolean;
  /** `--pull-secret-name` when `--backup-pull-secret` is given: added to the pod template. */
  readonly pullSecretName?: string | undefined;
  /** `--dry-run`: nothing is written; the step says what would be. */
  readonly dryRun: boolean;
  /**
   * `--rewrite-mode=pods`: backups are created and tracked as in workloads mode, but the workload is
   * never patched (`leave`, `rewrite-mode-pods`); the Pod admission webhook moves its Pods instead.
   */
  readonly rewriteMode?: 'workloads' | 'pods' | undefined;
  /** `--private-images`; DEFAULT_PRIVATE_IMAGES (`skip`) when absent, as `lifeboat run`'s default. */
  readonly privateImages?: PrivateImages | undefined;
}

/** A container whose source is private, as `skip-private` names it. */
export interface PrivateSource {
  readonly container: string;
  readonly source: string;
}

export type LeaveReason =
  | 'namespace-excluded'
  | 'namespace-terminating'
  | 'ignored'
  | 'not-ready'
  | 'nothing-to-back-up'
  | 'dry-run-nothing-to-do'
  | 'rewrite-mode-pods';

export type WaitReason = 'creating' | 'copying' | 'pull-secret';

export type Step =
  | { readonly step: 'leave'; readonly reason: LeaveReason }
  | { readonly step: 'report-invalid'; readonly invalid: readonly InvalidImage[] }
  | { readonly step: 'report-reverted' }
  | { readonly step: 'unmappable'; readonly error: MappingError }
  | {
      readonly step: 'dry-run';
      /** The backups a real run would create. */
      readonly create: readonly ImageBackup[];
      /** The containers a real run would move (targets without the digest a copy has yet to give). */
      readonly rewrites: readonly ImageRewrite[];
    }
  | {
      readonly step: 'create-backups';
      readonly create: readonly ImageBackup[];
      /**
       * `--private-images=skip`: each source is HEADed anonymously before anything is created, and
       * when one refuses nothing is created (the workload is left as it is, PrivateSourceSkipped).
       */
      readonly anonymousCheck: boolean;
    }
  | { readonly step: 'skip-private'; readonly sources: readonly PrivateSource[] }
  | {
      readonly step: 'check-readers';
      /** The private backups the workload runs whose `readers` do not list its namespace. */
      readonly sources: readonly (PrivateSource & { readonly backupName: string })[];
    }
  | { readonly step: 'wait'; readonly reason: WaitReason }
  | {
      readonly step: 'rewrite';
      readonly rewrites: readonly ImageRewrite[];
      /** The one guarded JSON patch. */
      readonly patch: readonly JsonPatchOp[];
      /** Rewrites whose backup's source needed credentials: readable with the namespace's refs first. */
      readonly private: readonly { readonly rewrite: ImageRewrite; readonly source: string }[];
      /**
       * `--private-images=isolated`: each namespace the check of `private` shows to read (or
       * disproves) is recorded in (removed from) that backup's `status.readers`.
       */
      readonly recordReaders: boolean;
    };

/** The step, with what it was decided from (status and the dev view show both). */
export type Decision = Step & {
  readonly eligibility: Eligibility;
  /** Undefined when the workload is left alone before planning (steps 1–4). */
  readonly plan: RewritePlan | undefined;
};

export function decideWorkload(s: WorkloadSnapshot, o: DecisionOptions): Decision {
  const eligibility = workloadEligibility(s.kind, s.workload, s.namespace, o.eligibility);
  const unplanned = (step: Step): Decision => ({ ...step, eligibility, plan: undefined });
  switch (eligibility.reason) {
    case 'namespace-excluded':
    case 'namespace-terminating':
    case 'ignored':
      return unplanned({ step: 'leave', reason: eligibility.reason });
    case 'invalid-reference':
      return unplanned({ step: 'report-invalid', invalid: eligibility.invalid });
    default:
  }
  if (isReverted(s.kind, s.workload, o.eligibility.mapping)) return unplanned({ step: 'report-reverted' });
  let plan: RewritePlan;
  try {
    plan = planRewrite({
      kind: s.kind,
      workload: s.workload,
      eligibility,
      backups: s.backups,
      options: {
        mapping: o.eligibility.mapping,
        platforms: o.platforms,
        pinDigest: o.pinDigest,
        pullSecretName: o.pullSecretName,
        excludeImages: o.eligibility.excludeImages,
        sourceRegistries: o.eligibility.sourceRegistries,
      },
    });
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    return unplanned({ step: 'unmappable', error });
  }
  const planned = (step: Step): Decision => ({ ...step, eligibility, plan });
  const absent = plan.backups.filter((b) => b.current === undefined);
  const leaveReason = eligibility.reason ?? 'nothing-to-back-up';
  if (o.dryRun) {
    if (absent.length === 0 && plan.rewrites.length === 0)
      return planned({ step: 'leave', reason: 'dry-run-nothing-to-do' });
    return planned({ step: 'dry-run', create: absent.map((b) => b.desired), rewrites: plan.rewrites });
  }
  const privateImages = o.privateImages ?? DEFAULT_PRIVATE_IMAGES;
  const create = absent.filter((b) => s.creating?.has(b.desired.metadata.name) !== true);
  if (create.length > 0)
    return planned({
      step: 'create-backups',
      create: create.map((b) => b.desired),
      anonymousCheck: privateImages === 'skip',
    });
  if (plan.rewrites.length === 0) {
    const unrecorded = privateImages === 'isolated' ? unrecordedReaders(s, plan.onBackups) : [];
    if (unrecorded.length > 0) return planned({ step: 'check-readers', sources: unrecorded });
    return planned({ step: 'leave', reason: leaveReason });
  }
  if (!plan.ready) return planned({ step: 'wait', reason: absent.length > 0 ? 'creating' : 'copying' });
  if (o.rewriteMode === 'pods') {
    // The webhook lets a namespace have a private backup only when `status.readers` lists it (it
    // answers from caches, never the registry), so in pods mode readers are recorded whenever private
    // backups exist (shared or isolated), through the same access check a rewrite makes.
    const unrecorded = privateImages === 'skip' ? [] : unrecordedReaders(s, plan.rewrites);
    if (unrecorded.length > 0) return planned({ step: 'check-readers', sources: unrecorded });
    return planned({ step: 'leave', reason: 'rewrite-mode-pods' });
  }
  if (!s.pullSecretPresent) return planned({ step: 'wait', reason: 'pull-secret' });
  const privateSources = plan.rewrites.flatMap((rewrite) => {
    const backup = s.backups.get(rewrite.backupName);
    return backup?.status?.private === true ? [{ rewrite, source: backup.spec.source }] : [];
  });
  if (privateImages === 'skip' && privateSources.length > 0) {
    const sources = privateSources.map((p) => ({ container: p.rewrite.container, source: p.source }));
    return planned({ step: 'skip-private', sources });
  }
  return planned({
    step: 'rewrite',
    rewrites: plan.rewrites,
    patch: plan.patch,
    private: privateSources,
    recordReaders: privateImages === 'isolated',
  });
}

/** Of these containers' backups, the private ones whose `status.readers` lack the workload's namespace. */
function unrecordedReaders(
  s: WorkloadSnapshot,
  containers: readonly { readonly container: string; readonly backupName: string }[],
): (PrivateSource & { readonly backupName: string })[] {
  const namespace = s.namespace.metadata.name;
  return containers.flatMap(({ container, backupName }) => {
    const backup = s.backups.get(backupName);
    if (backup?.status?.private !== true || backup.status.readers?.includes(namespace) === true) return [];
    return [{ container, backupName, source: backup.spec.source }];
  });
}
