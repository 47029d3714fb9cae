// Would this workload survive every source vanishing now? One verdict per container, pure: from the
// workload controller's own decision (decideWorkload: `verify` never restates it) and what the
// backup registry said about the backups the workload runs (check-backups.ts).
//
// A container is, the first that holds:
//   excluded — lifeboat keeps its hands off the workload (namespace excluded or terminating, the
//              workload ignored), or off the image (--exclude-images, --source-registries);
//   exposed  — its image is no valid reference; or it does not run a backup yet, and the decision
//              says why (not rolled out, backup not created / copying / failed, pull secret awaited,
//              rewrite due, reverted, unmappable, a private source under --private-images=skip:
//              PrivateSourceSkipped, from the backup's status or, before any backup exists, from the
//              controller's latest Event);
//   exposed  — it runs a backup, but the registry could not be read, or the backup is damaged
//              (a manifest, child manifest, config or layer missing), or a manifest is not anchored,
//              or the pull secret is not in its namespace (each that holds is named);
//   protected — it runs a backup that is complete, anchored, and pullable from its namespace.
// In `--rewrite-mode=pods` the spec never runs a backup: the webhook moves each Pod as it is created.
// A container whose backup is Ready is judged on that backup (the same checks), on whether its
// namespace may read it (a private backup only for its `status.readers`), and on its running Pods:
// those created before the backup was Ready still run the original, and are `protected on restart`
// (still `protected`: the Pod keeps running what its node holds, and any new Pod gets the backup).
import { EventReasons } from '../api/event-reasons.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import type { WorkloadEvent } from '../status/latest-events.ts';
import { IGNORE_ANNOTATION, IGNORE_LABEL } from '../api/labels.ts';
import { workloadImages } from '../api/workload-images.ts';
import type { WorkloadKind } from '../api/workload-types.ts';
import type { Decision } from '../workloads/decide.ts';
import type { EligibilityWorkload, ImageDecision } from '../workloads/eligibility.ts';
import type { BackupFindings, MissingPiece, UnanchoredManifest } from './findings.ts';
import { mayRead } from '../api/backup-readers.ts';
import { runsFromBackups, type PodSummary } from '../status/workload-pods.ts';
import type { BackupMapping } from '../../reference/index.ts';

/** The VERDICT column. Part of the interface: CI scripts match on these words. */
export const VERDICTS = ['protected', 'exposed', 'excluded'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ContainerVerdict {
  readonly container: string;
  readonly init: boolean;
  /** As written in the workload. */
  readonly image: string;
  readonly verdict: Verdict;
  /** One line for people: why, with the digests and names to look at. */
  readonly reason: string;
  /** For a container that runs a backup: what was checked and found. */
  readonly backup?: { readonly reference: string; readonly findings: BackupFindings };
}

export interface VerdictInput {
  readonly kind: WorkloadKind;
  readonly workload: EligibilityWorkload;
  /** decideWorkload's answer for this workload, with the pull secret's presence it was given. */
  readonly decision: Decision;
  readonly backups: { get(name: string): ImageBackup | undefined };
  /** `--pull-secret-name` when `--backup-pull-secret` is given, and whether the namespace holds it. */
  readonly pullSecret?: { readonly name: string; readonly present: boolean } | undefined;
  /** lifeboat's latest Event about the workload, if known (PrivateSourceSkipped). */
  readonly latestEvent?: WorkloadEvent | undefined;
  /** The findings for a backup reference (ImageDecision.reference); undefined: not checked. */
  readonly findings: (reference: string) => BackupFindings | undefined;
  /** `--rewrite-mode=pods`: the workload's running Pods (podsOf) and where backups live. */
  readonly pods?: { readonly running: readonly PodSummary[]; readonly mapping: BackupMapping } | undefined;
}

/**
 * `--rewrite-mode=pods`, every backup Ready: the webhook moves the Pods, the spec stays. A
 * `check-readers` step with rewrites planned is pods mode too (in workloads mode that step comes only
 * when nothing is left to rewrite): a private backup's readers are yet to list the namespace.
 */
const podsMode = (decision: Decision): boolean =>
  (decision.step === 'leave' && decision.reason === 'rewrite-mode-pods') ||
  (decision.step === 'check-readers' && (decision.plan?.rewrites.length ?? 0) > 0);

/** The backup images the workload runs: what the registry must be asked about. */
export function backupReferences(decision: Decision): string[] {
  if (handsOff(decision) !== undefined) return [];
  if (podsMode(decision)) {
    // Not a private backup the namespace may not read: the webhook moves no Pod to it.
    const unread = new Set(
      decision.step === 'check-readers' ? decision.sources.map((s) => s.backupName) : [],
    );
    return (decision.plan?.rewrites ?? []).flatMap((r) =>
      r.target === undefined || unread.has(r.backupName) ? [] : [r.target],
    );
  }
  return decision.eligibility.images.flatMap((i) =>
    i.skipReason === 'already-backed-up' ? [i.reference] : [],
  );
}

export function containerVerdicts(input: VerdictInput): ContainerVerdict[] {
  const { decision } = input;
  const decided = new Map(decision.eligibility.images.map((i) => [i.container, i]));
  const invalid = new Map(decision.eligibility.invalid.map((i) => [i.container, i]));
  const off = handsOff(decision);
  return workloadImages(input.kind, input.workload).map(({ container, init, image }): ContainerVerdict => {
    const base = { container, init, image };
    if (off !== undefined) return { ...base, verdict: 'excluded', reason: off };
    const bad = invalid.get(container);
    const d = decided.get(container);
    if (bad !== undefined || d === undefined) {
      return {
        ...base,
        verdict: 'exposed',
        reason: `not backed up: not a valid reference (${bad?.error ?? image})`,
      };
    }
    const podRewrite = podsMode(decision)
      ? decision.plan?.rewrites.find((r) => r.container === container)
      : undefined;
    if (podRewrite?.target !== undefined) return onPodBackup(input, podRewrite.target, podRewrite, base);
    switch (d.skipReason) {
      case 'excluded-image':
        return {
          ...base,
          verdict: 'excluded',
          reason: `matches --exclude-images ${d.skipDetail ?? ''}`.trimEnd(),
        };
      case 'registry-not-selected':
        return { ...base, verdict: 'excluded', reason: 'registry not in --source-registries' };
      case 'already-backed-up':
        return onBackup(input, d, base);
      default:
        return { ...base, verdict: 'exposed', reason: `not rewritten: ${notRewritten(input, d)}` };
    }
  });
}

/** Why lifeboat leaves the whole workload alone, if it does. */
function handsOff(decision: Decision): string | undefined {
  if (decision.step !== 'leave') return undefined;
  switch (decision.reason) {
    case 'namespace-excluded':
      return `namespace excluded (--exclude-namespaces, a system namespace, lifeboat's own, or labelled ${IGNORE_LABEL}=true)`;
    case 'namespace-terminating':
      return 'namespace is being deleted';
    case 'ignored':
      return `annotated ${IGNORE_ANNOTATION}=true`;
    default:
      return undefined;
  }
}

/** A container still on its source image: why, from the decision's step. */
function notRewritten(input: VerdictInput, image: ImageDecision): string {
  const { decision } = input;
  switch (decision.step) {
    case 'report-invalid':
      return `the workload has an image that is no valid reference (${decision.invalid.map((i) => i.container).join(', ')}): lifeboat leaves it alone`;
    case 'report-reverted':
      return 'another writer put the original images back; left as they are until they change';
    case 'unmappable':
      return decision.error.message;
    case 'skip-private':
      return 'private source (an anonymous pull is refused), not backed up: --private-images=skip';
    case 'leave':
      return decision.reason === 'not-ready'
        ? 'its current spec has not rolled out (--require-ready)'
        : `left alone (${decision.reason})`;
    case 'wait':
      if (decision.reason === 'pull-secret') {
        return `waiting for the pull secret ${input.pullSecret?.name ?? ''} in its namespace`.replace(
          '  ',
          ' ',
        );
      }
      return backupState(input, image);
    case 'rewrite':
      return 'every backup is Ready: the controller rewrites it next';
    default:
      return backupState(input, image);
  }
}

/** Where this container's backup stands, from its ImageBackup. */
function backupState(input: VerdictInput, image: ImageDecision): string {
  const rewrite = input.decision.plan?.rewrites.find((r) => r.container === image.container);
  if (rewrite === undefined) return 'no backup planned';
  const backup = input.backups.get(rewrite.backupName);
  if (backup === undefined) {
    const event = input.latestEvent;
    const uid = (input.workload.metadata as { uid?: string } | undefined)?.uid;
    const current = event?.uid === undefined || uid === undefined || event.uid === uid;
    if (event?.reason === EventReasons.PrivateSourceSkipped && current)
      return `PrivateSourceSkipped: ${event.note}`;
    return `ImageBackup ${rewrite.backupName} not created yet`;
  }
  const s = backup.status;
  switch (s?.phase) {
    case 'Failed':
      return `backup of ${backup.spec.source} failed: ${s.lastError ?? 'copy failed'}`;
    case 'Copying':
      return `copying ${backup.spec.source} (${s.progress ?? 'starting'})`;
    case 'Ready':
      return rewrite.target === undefined
        ? `${backup.spec.source} backed up with digest ${s.targetDigest ?? '?'}, not the one it runs`
        : "its backup is Ready; the rewrite waits for the workload's other backups";
    default:
      return `ImageBackup ${rewrite.backupName} is ${s?.phase ?? 'Pending'}`;
  }
}

/** A container running a backup: what the registry and the namespace say. */
function onBackup(
  input: VerdictInput,
  image: Pick<ImageDecision, 'reference'>,
  base: Pick<ContainerVerdict, 'container' | 'init' | 'image'>,
): ContainerVerdict {
  const findings = input.findings(image.reference);
  if (findings === undefined) return { ...base, verdict: 'exposed', reason: 'backup not checked' };
  const backup = { reference: image.reference, findings };
  if (findings.state === 'unreadable') {
    return { ...base, backup, verdict: 'exposed', reason: `backup registry unreadable: ${findings.error}` };
  }
  const problems: string[] = [];
  if (findings.missing.length > 0)
    problems.push(`backup damaged: ${listed(findings.missing.map(missingText))}`);
  if (findings.unanchored.length > 0)
    problems.push(`no anchor: ${listed(findings.unanchored.map(anchorText))}`);
  if (input.pullSecret !== undefined && !input.pullSecret.present) {
    problems.push(`no pull secret: ${input.pullSecret.name} is not in its namespace`);
  }
  if (problems.length > 0) return { ...base, backup, verdict: 'exposed', reason: problems.join('; ') };
  const digest = findings.digest ?? image.reference;
  const manifests = count(findings.manifests, 'manifest');
  const reason = findings.shallow
    ? `${digest}: ${manifests} present and anchored (blobs not checked: --shallow)`
    : `${digest}: complete and anchored (${manifests}, ${count(findings.blobs, 'blob')})`;
  return { ...base, backup, verdict: 'protected', reason };
}

/**
 * pods mode: the container's Pods are moved to `reference` at creation. Its backup must be one the
 * namespace may read and must pass onBackup's checks; then its running Pods say whether it is
 * protected now or on restart.
 */
function onPodBackup(
  input: VerdictInput,
  reference: string,
  rewrite: { readonly backupName: string; readonly container: string },
  base: Pick<ContainerVerdict, 'container' | 'init' | 'image'>,
): ContainerVerdict {
  const backup = input.backups.get(rewrite.backupName);
  const namespace = input.workload.metadata?.namespace ?? '';
  if (backup !== undefined && !mayRead(backup, namespace)) {
    return {
      ...base,
      verdict: 'exposed',
      reason: `${backup.spec.source} is private and ${namespace} is not among its readers: its Pods keep the original image`,
    };
  }
  const checked = onBackup(input, { reference }, base);
  if (checked.verdict !== 'protected' || input.pods === undefined) return checked;
  const { running, mapping } = input.pods;
  const behind = running.filter((p) => !runsFromBackups(p, new Set([rewrite.container]), mapping));
  if (behind.length === 0) {
    const pods = running.length === 0 ? 'no Pod running' : `${running.length}/${running.length} Pods on it`;
    return { ...checked, reason: `${checked.reason}; ${pods} (pods mode)` };
  }
  return {
    ...checked,
    reason:
      `protected on restart: ${behind.length}/${running.length} running Pods were created before the backup ` +
      `was Ready and run the original; new Pods get ${reference} (${checked.reason})`,
  };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const SHOWN = 3;

/** The first few, and how many more: a reason stays one readable line. */
function listed(items: readonly string[]): string {
  const more = items.length - SHOWN;
  return items.slice(0, SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function missingText(m: MissingPiece): string {
  return `${m.kind} ${m.digest} ${m.problem === undefined ? 'missing' : `damaged (${m.problem})`}`;
}

function anchorText(u: UnanchoredManifest): string {
  if (u.tag === undefined) return `manifest ${u.digest} has no sha256 digest to anchor`;
  return u.names === undefined ? `${u.tag} missing` : `${u.tag} names ${u.names}, not ${u.digest}`;
}
