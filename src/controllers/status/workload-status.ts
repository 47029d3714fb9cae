// What lifeboat did to one workload, or waits for, and why: the WORKLOADS table of `lifeboat status`.
// Decided by the workload controller's own decision function (workloads/decide.ts), so status
// cannot disagree with what the controller does; what only the controller's registry checks know
// (access denied) or a lost race comes from its Events.
//
// The state is the first of these that holds, in the controller's own order:
//   namespace excluded / terminating, workload ignored, an invalid reference (the controller leaves
//   such workloads alone) → reverted by another writer → a source that cannot be mapped →
//   nothing left to back up (Rewritten when it runs backups, else Excluded by the image rules) →
//   not Ready (`--require-ready`, unless every image has a Ready backup) → a copy failed → a copy not done (with its progress) →
//   access denied / conflict (its latest Event) → every backup Ready: the rewrite is due.
// RewriteDue means "ready to be rewritten, not rewritten yet". Status runs as a process of its own
// and cannot see the controller's `--max-rewrites-per-minute` bucket, so it does not claim to know
// whether the workload waits for it or is about to be rewritten; the controller's gauge
// `lifeboat_workloads_rewrite_due` counts those waiting for the bucket.
// A private source under `--private-images=skip` is PrivateSourceSkipped: from the decision when its
// backup says private, from the controller's latest Event when none was created (only the
// controller's anonymous HEAD knows), ahead of the copies it would otherwise wait for.
import { parseNormalizedNamed } from '../../reference/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { desiredImageBackup } from '../workloads/desired-backup.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IGNORE_ANNOTATION, IGNORE_LABEL } from '../api/labels.ts';
import { namespaceExclusion, type NamespaceExclusion } from '../api/namespace-disposition.ts';
import { formatLabelSelector } from '../../kube/index.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { decideWorkload, type Decision } from '../workloads/decide.ts';
import type {
  Eligibility,
  EligibilityOptions,
  EligibilityWorkload,
  ImageSkipReason,
} from '../workloads/eligibility.ts';
import { workloadImages } from '../api/workload-images.ts';
import { originalImagesOf } from '../api/original-images.ts';
import type { ImageRewrite, RewritePlan } from '../workloads/rewrite.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import type { WorkloadEvent } from './latest-events.ts';
import type { PrivateImages } from '../workloads/private-images.ts';
import { runsFromBackups, type PodSummary } from './workload-pods.ts';
import { mayRead } from '../api/backup-readers.ts';

/** The STATE column, most settled first. Part of the interface: scripts match on these words. */
export const WORKLOAD_STATES = [
  'Rewritten',
  'Reverted',
  'Excluded',
  'Ignored',
  'Terminating',
  'InvalidReference',
  'Unmappable',
  'NotReady',
  'CopyFailed',
  'WaitingForCopy',
  'AccessDenied',
  'PrivateSourceSkipped',
  'Conflict',
  'RewriteDue',
  // --rewrite-mode=pods: every image has a Ready backup the namespace may read, and every running
  // Pod runs from backups (Protected), or some Pod was created before that (ProtectedOnRestart).
  'Protected',
  'ProtectedOnRestart',
] as const;

export type WorkloadState = (typeof WORKLOAD_STATES)[number];

/** What is done with one container's image. */
export interface ImageStatus {
  readonly container: string;
  readonly init: boolean;
  /** As written in the workload now. */
  readonly image: string;
  /**
   * `on-backup`: runs its backup; `backup`: to be moved to one; `skip`: left as it is (see
   * `skipReason`); `invalid`: not a valid reference.
   */
  readonly action: 'on-backup' | 'backup' | 'skip' | 'invalid';
  readonly skipReason?: Exclude<ImageSkipReason, 'already-backed-up'>;
  /** For `excluded-image`: the glob that matched. */
  readonly skipDetail?: string;
  /** For `on-backup`: the image it ran before, from lifeboat's annotation (absent when unknown). */
  readonly original?: string;
  /** The ImageBackup of its source (of `original` for `on-backup`). */
  readonly backup?: string;
  /** For `backup`: the image it becomes (with the copy's digest once Ready, when pinned). */
  readonly target?: string;
}

export interface WorkloadStatus {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly state: WorkloadState;
  /** One line for people: what holds it back, with the detail (progress, error, glob, Event note). */
  readonly reason: string;
  readonly images: readonly ImageStatus[];
  /** Names of the ImageBackups it uses or needs, sorted. */
  readonly backups: readonly string[];
}

/** A workload as status reads it: what eligibility reads, plus the uid its Events name. */
export type StatusWorkload = EligibilityWorkload & {
  readonly metadata?: { readonly uid?: string | undefined } | undefined;
};

export interface WorkloadStatusInput {
  readonly kind: WorkloadKind;
  /** Must carry `metadata.name` and `metadata.namespace`. */
  readonly workload: StatusWorkload;
  readonly namespace: NamespaceObject;
  readonly backups: { get(name: string): ImageBackup | undefined };
  /** The latest lifeboat Event about this workload (latestWorkloadEvents), if any. */
  readonly latestEvent?: WorkloadEvent | undefined;
  /** As `lifeboat run` builds them from the same flags. */
  readonly eligibility: EligibilityOptions;
  /** `--pin-digest`: how targets are shown; default true, as `run`'s. */
  readonly pinDigest?: boolean | undefined;
  /** `--private-images`; `skip` when absent, as `run`'s. */
  readonly privateImages?: PrivateImages | undefined;
  /** `--rewrite-mode`; default workloads, as `run`'s. */
  readonly rewriteMode?: 'workloads' | 'pods' | undefined;
  /** pods mode: the workload's running Pods (podsOf). */
  readonly pods?: readonly PodSummary[] | undefined;
}

type Verdict = Pick<WorkloadStatus, 'state' | 'reason'>;

export function workloadStatus(input: WorkloadStatusInput): WorkloadStatus {
  const { kind, workload } = input;
  // The controller's own decision; status cannot tell whether the pull secret is there, so it
  // does not wait for it (the RewriteDue text says so).
  const decision = decideWorkload(
    { kind, workload, namespace: input.namespace, backups: input.backups, pullSecretPresent: true },
    {
      eligibility: input.eligibility,
      pinDigest: input.pinDigest ?? true,
      dryRun: false,
      privateImages: input.privateImages,
      rewriteMode: input.rewriteMode,
    },
  );
  const images = imageStatuses(input, decision.eligibility, decision.plan);
  const backups = new Set(images.flatMap((i) => (i.backup === undefined ? [] : [i.backup])));
  for (const need of decision.plan?.backups ?? []) backups.add(need.desired.metadata.name);
  return {
    kind,
    namespace: workload.metadata?.namespace ?? '',
    name: workload.metadata?.name ?? '',
    ...verdict(input, decision, images),
    images,
    backups: [...backups].sort(),
  };
}

function verdict(input: WorkloadStatusInput, decision: Decision, images: readonly ImageStatus[]): Verdict {
  const { namespace, eligibility: options } = input;
  switch (decision.step) {
    case 'leave':
      switch (decision.reason) {
        case 'namespace-excluded': {
          const name = namespace.metadata.name;
          const exclusion = namespaceExclusion(
            namespace,
            options.excludedNamespaces,
            options.namespaceSelector,
          );
          const why =
            exclusion === 'outside-selector' && options.namespaceSelector !== undefined
              ? `by --namespace-selector ${formatLabelSelector(options.namespaceSelector)} (its labels do not match)`
              : EXCLUSION_TEXT[exclusion ?? 'listed'];
          return { state: 'Excluded', reason: `namespace ${name} is excluded ${why}` };
        }
        case 'namespace-terminating':
          return { state: 'Terminating', reason: `namespace ${namespace.metadata.name} is being deleted` };
        case 'ignored':
          return { state: 'Ignored', reason: `annotated ${IGNORE_ANNOTATION}=true` };
        default:
      }
      break;
    case 'report-invalid': {
      const list = decision.invalid.map((i) => `${i.container}: ${JSON.stringify(i.image)} (${i.error})`);
      return { state: 'InvalidReference', reason: `not backed up: ${list.join('; ')}` };
    }
    case 'report-reverted':
      return {
        state: 'Reverted',
        reason: 'another writer put the original images back; left as they are until they change',
      };
    case 'unmappable':
      return { state: 'Unmappable', reason: decision.error.message };
    case 'skip-private': {
      const list = decision.sources.map((s) => `${s.container}: ${s.source}`).join('; ');
      return {
        state: 'PrivateSourceSkipped',
        reason: `private source (an anonymous pull is refused), --private-images=skip: ${list}; left as it is`,
      };
    }
    default:
  }
  // Left for want of work, or backups still to create: what the images say, in the controller's order.
  const onBackup = images.filter((i) => i.action === 'on-backup').length;
  if (!images.some((i) => i.action === 'backup')) {
    if (onBackup > 0)
      return { state: 'Rewritten', reason: `${onBackup}/${images.length} images run from backups` };
    return { state: 'Excluded', reason: skippedReason(images) };
  }
  if (decision.step === 'leave' && decision.reason === 'not-ready') {
    const missing = (decision.plan?.heldBack ?? []).flatMap((r) =>
      r.target === undefined ? [`${r.container}: ${sourceOf(input, r)} has no Ready backup`] : [],
    );
    return {
      state: 'NotReady',
      reason:
        'its current spec has not rolled out; backed up and rewritten once it has (--require-ready), ' +
        `or at once when every image has a Ready backup${missing.length > 0 ? ` (${missing.join('; ')})` : ''}`,
    };
  }
  const skipped = privateSkipped(input, decision);
  if (skipped !== undefined) return skipped;
  if (decision.step === 'leave' && decision.reason === 'rewrite-mode-pods')
    return podsVerdict(input, decision.plan?.rewrites ?? []);
  return (
    copyVerdict(input, decision.plan?.rewrites ?? []) ??
    eventVerdict(input.latestEvent, input.workload.metadata?.uid)
  );
}

/**
 * The controller found a source private before creating its backup (`--private-images=skip`): only
 * its Event says so, and only while that backup is still not created.
 */
function privateSkipped(input: WorkloadStatusInput, decision: Decision): Verdict | undefined {
  const event = input.latestEvent;
  const uid = input.workload.metadata?.uid;
  if (event?.reason !== EventReasons.PrivateSourceSkipped) return undefined;
  if (event.uid !== undefined && uid !== undefined && event.uid !== uid) return undefined;
  if (decision.step !== 'create-backups') return undefined;
  return { state: 'PrivateSourceSkipped', reason: event.note };
}

/**
 * pods mode, every backup Ready: the webhook moves each new Pod, so what is left to say is whether
 * the namespace may read each backup (a private one only for its readers) and whether the Pods that
 * run now were moved (those created before their backups were Ready run the originals until they
 * are re-created).
 */
function podsVerdict(input: WorkloadStatusInput, rewrites: readonly ImageRewrite[]): Verdict {
  const namespace = input.namespace.metadata.name;
  const unreadable = rewrites.flatMap((r) => {
    const backup = input.backups.get(r.backupName);
    return backup !== undefined && !mayRead(backup, namespace)
      ? [`${r.container}: ${backup.spec.source} is private and ${namespace} is not among its readers`]
      : [];
  });
  if (unreadable.length > 0)
    return { state: 'AccessDenied', reason: `its Pods keep their original images: ${unreadable.join('; ')}` };
  const pods = input.pods ?? [];
  const containers = new Set(rewrites.map((r) => r.container));
  const behind = pods.filter((p) => !runsFromBackups(p, containers, input.eligibility.mapping));
  if (behind.length > 0)
    return {
      state: 'ProtectedOnRestart',
      reason:
        `every image has a Ready backup, but ${behind.length}/${pods.length} running Pods were created before ` +
        'and run the originals: protected once they are re-created (a rollout, an eviction)',
    };
  return {
    state: 'Protected',
    reason:
      pods.length === 0
        ? 'every image has a Ready backup; its Pods are moved to them at creation'
        : `every image has a Ready backup, and ${pods.length}/${pods.length} running Pods run from backups`,
  };
}

/** The source of a rewrite's backup as its ImageBackup names it, or the image when not created yet. */
function sourceOf(input: WorkloadStatusInput, r: ImageRewrite): string {
  return input.backups.get(r.backupName)?.spec.source ?? r.image;
}

/** The copies the rewrite waits for: any failure first, then those not done. */
function copyVerdict(input: WorkloadStatusInput, rewrites: readonly ImageRewrite[]): Verdict | undefined {
  const failed: string[] = [];
  const waiting: string[] = [];
  for (const r of rewrites) {
    if (r.target !== undefined) continue;
    const backup = input.backups.get(r.backupName);
    const status = backup?.status;
    if (backup === undefined) waiting.push(`${r.container}: ImageBackup ${r.backupName} not created yet`);
    else if (status?.phase === 'Failed') {
      failed.push(`${r.container}: ${backup.spec.source}: ${status.lastError ?? 'copy failed'}`);
    } else if (status?.phase === 'Degraded') {
      // Damaged in the backup registry with no source to repair it: nothing to wait for.
      failed.push(
        `${r.container}: ${backup.spec.source}: backup damaged: ${status.lastError ?? 'see BackupDamaged'}`,
      );
    } else if (status?.phase === 'Copying') {
      waiting.push(`${r.container}: copying ${backup.spec.source} (${status.progress ?? 'starting'})`);
    } else if (status?.phase === 'Ready') {
      // Ready with another digest than the one the source pins: not its copy.
      waiting.push(
        `${r.container}: ${backup.spec.source} backed up with digest ${status.targetDigest ?? '?'}`,
      );
    } else waiting.push(`${r.container}: ${backup.spec.source} queued for copy`);
  }
  if (failed.length > 0) return { state: 'CopyFailed', reason: failed.join('; ') };
  if (waiting.length > 0) return { state: 'WaitingForCopy', reason: waiting.join('; ') };
  return undefined;
}

/** Every backup is Ready: what the controller last said holds it back, if anything. */
function eventVerdict(event: WorkloadEvent | undefined, uid: string | undefined): Verdict {
  const current = event !== undefined && (event.uid === undefined || uid === undefined || event.uid === uid);
  if (current && event.reason === EventReasons.BackupAccessDenied)
    return { state: 'AccessDenied', reason: event.note };
  if (current && event.reason === EventReasons.RewriteConflict)
    return { state: 'Conflict', reason: event.note };
  return {
    state: 'RewriteDue',
    reason:
      'every backup is Ready: the controller rewrites it next, paced by --max-rewrites-per-minute (and once the pull secret, if any, is in the namespace)',
  };
}

const EXCLUSION_TEXT: Readonly<Record<NamespaceExclusion, string>> = {
  listed: "by --exclude-namespaces, a system namespace or lifeboat's own (--lifeboat-namespace)",
  'ignore-label': `labelled ${IGNORE_LABEL}=true`,
  'outside-selector': 'by --namespace-selector (its labels do not match)',
};

const SKIP_TEXT: Readonly<Record<NonNullable<ImageStatus['skipReason']>, string>> = {
  'excluded-image': 'matches --exclude-images',
  'registry-not-selected': 'registry not in --source-registries',
};

function skippedReason(images: readonly ImageStatus[]): string {
  const list = images.map((i) => {
    const why = i.skipReason === undefined ? 'not backed up' : SKIP_TEXT[i.skipReason];
    return `${i.container}: ${why}${i.skipDetail === undefined ? '' : ` ${i.skipDetail}`}`;
  });
  return list.length === 0 ? 'no container has an image' : `nothing to back up: ${list.join('; ')}`;
}

/** Every container's image, in spec order (init containers first), with what is done with it. */
function imageStatuses(
  input: WorkloadStatusInput,
  eligibility: Eligibility,
  plan: RewritePlan | undefined,
): ImageStatus[] {
  const decisions = new Map(eligibility.images.map((d) => [d.container, d]));
  const rewrites = new Map(
    [...(plan?.rewrites ?? []), ...(plan?.heldBack ?? [])].map((r) => [r.container, r]),
  );
  const originals = originalImagesOf(input.workload) ?? {};
  return workloadImages(input.kind, input.workload).map(({ container, init, image }): ImageStatus => {
    const base = { container, init, image };
    const decision = decisions.get(container);
    if (decision === undefined) return { ...base, action: 'invalid' };
    if (decision.action === 'backup') {
      const rewrite = rewrites.get(container);
      if (rewrite !== undefined) {
        return {
          ...base,
          action: 'backup',
          backup: rewrite.backupName,
          target: rewrite.target ?? rewrite.preview,
        };
      }
      const desired = desiredBackupOf(image, input);
      return {
        ...base,
        action: 'backup',
        ...(desired && { backup: desired.metadata.name, target: desired.spec.target }),
      };
    }
    if (decision.skipReason === 'already-backed-up') {
      const original = originals[container];
      const backup = original === undefined ? undefined : desiredBackupOf(original, input)?.metadata.name;
      return {
        ...base,
        action: 'on-backup',
        ...(original !== undefined && { original }),
        ...(backup && { backup }),
      };
    }
    return {
      ...base,
      action: 'skip',
      ...(decision.skipReason !== undefined && { skipReason: decision.skipReason }),
      ...(decision.skipDetail !== undefined && { skipDetail: decision.skipDetail }),
    };
  });
}

/** The ImageBackup the controller would make for `image`; undefined when it does not parse or map. */
function desiredBackupOf(image: string, input: WorkloadStatusInput): ImageBackup | undefined {
  try {
    return desiredImageBackup(parseNormalizedNamed(image), { mapping: input.eligibility.mapping });
  } catch {
    return undefined;
  }
}
