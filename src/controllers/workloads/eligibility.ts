// Which workloads the workload controller backs up, and which of their images (SPEC §1.4): pure
// functions over the cached objects, so the controller and `lifeboat status` ("what is pending and
// why") give the same answer. Every image is listed with what is done with it and why, even for a
// workload that is not eligible, so a status view can show everything that is pending.
//
// A workload is refused for the first of these that holds, in this order (the cheapest to explain
// first): its namespace is excluded or terminating, it is annotated `lifeboat.dev/ignore=true`, one of
// its images is not a valid reference (the controller records `InvalidImageReference`; nothing of a
// workload is rewritten while part of it cannot be read), it has not rolled out its current spec
// (`requireReady`), or none of its images is left to back up. `not-ready` only holds back new
// copies: the rewrite plan (rewrite.ts) still moves such a workload when every image it runs has a
// Ready backup.
import type { LabelSelector } from '../../kube/index.ts';
import { isBackupImage, InvalidReferenceError, parseNormalizedNamed } from '../../reference/index.ts';
import type { BackupMapping, ImageReference } from '../../reference/index.ts';
import { IGNORE_ANNOTATION } from '../api/labels.ts';
import { namespaceDisposition } from '../api/namespace-disposition.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { matchingGlob } from './image-glob.ts';
import { workloadImages } from '../api/workload-images.ts';
import { isWorkloadReady } from './readiness.ts';
import type { ReadinessFields } from './readiness.ts';
import type { Workload, WorkloadKind } from '../api/workload-types.ts';

export interface EligibilityOptions {
  /**
   * Namespaces named by `--exclude-namespaces` plus lifeboat's own (the set `run` builds; default
   * `kube-system`, `kube-public`, `kube-node-lease` and its own). A namespace labelled
   * `lifeboat.dev/ignore=true` is excluded as well, whatever this set holds.
   */
  readonly excludedNamespaces: ReadonlySet<string>;
  /** `--namespace-selector`: a namespace it does not select is excluded too. Undefined: every one. */
  readonly namespaceSelector?: LabelSelector | undefined;
  /** `--exclude-images` globs (syntax in image-glob.ts); default none. */
  readonly excludeImages?: readonly string[] | undefined;
  /**
   * `--source-registries`: the hosts (with `:port` where there is one) whose images are backed up;
   * undefined or empty means every registry (the default). Compared case-insensitively, and
   * `index.docker.io` is `docker.io`.
   */
  readonly sourceRegistries?: readonly string[] | undefined;
  /** `--require-ready`; default true. CronJobs are always ready. */
  readonly requireReady?: boolean | undefined;
  /** Where backups go: an image already there is not backed up again. */
  readonly mapping: BackupMapping;
}

export type IneligibleReason =
  | 'namespace-excluded'
  | 'namespace-terminating'
  | 'ignored'
  | 'invalid-reference'
  | 'not-ready'
  | 'nothing-to-back-up';

export type ImageSkipReason = 'excluded-image' | 'registry-not-selected' | 'already-backed-up';

export interface ImageDecision {
  readonly container: string;
  readonly init: boolean;
  /** As written in the workload. */
  readonly image: string;
  /** Normalised: `docker.io/library/nginx:1.25` (tag and digest as written, no `:latest` added). */
  readonly reference: string;
  readonly action: 'backup' | 'skip';
  readonly skipReason?: ImageSkipReason;
  /** For `excluded-image`: the glob that matched. */
  readonly skipDetail?: string;
}

export interface InvalidImage {
  readonly container: string;
  readonly init: boolean;
  readonly image: string;
  /** `InvalidReferenceError` code, e.g. `REFERENCE_NAME_CONTAINS_UPPERCASE`. */
  readonly code: string;
  readonly error: string;
}

export interface Eligibility {
  readonly eligible: boolean;
  /** Set exactly when `eligible` is false. */
  readonly reason?: IneligibleReason;
  /** Every valid image of the workload, init containers first, in spec order. */
  readonly images: readonly ImageDecision[];
  /** The images that are not valid references. */
  readonly invalid: readonly InvalidImage[];
}

/** A workload as eligibility reads it: the pod template plus the fields readiness reads. */
export type EligibilityWorkload = Workload & ReadinessFields;

const LEGACY_DOCKER_HUB = 'index.docker.io';
const DOCKER_HUB = 'docker.io';

/** A registry host as `--source-registries` compares it. */
export function registryKey(host: string): string {
  const lower = host.toLowerCase();
  return lower === LEGACY_DOCKER_HUB ? DOCKER_HUB : lower;
}

function imageSkip(
  ref: ImageReference,
  options: EligibilityOptions,
  registries: ReadonlySet<string> | undefined,
): Pick<ImageDecision, 'skipReason' | 'skipDetail'> | undefined {
  if (isBackupImage(ref, options.mapping)) return { skipReason: 'already-backed-up' };
  const glob = matchingGlob(ref, options.excludeImages ?? []);
  if (glob !== undefined) return { skipReason: 'excluded-image', skipDetail: glob };
  if (registries !== undefined && !registries.has(registryKey(ref.domain))) {
    return { skipReason: 'registry-not-selected' };
  }
  return undefined;
}

/**
 * Whether `--exclude-images` or `--source-registries` leaves `ref` out: the image filters, for a
 * reference that is not one of the workload's images (an original its backup was made from).
 */
export function filteredOut(
  ref: ImageReference,
  filters: Pick<EligibilityOptions, 'excludeImages' | 'sourceRegistries'>,
): boolean {
  if (matchingGlob(ref, filters.excludeImages ?? []) !== undefined) return true;
  const registries = filters.sourceRegistries;
  if (registries === undefined || registries.length === 0) return false;
  return !registries.some((r) => registryKey(r) === registryKey(ref.domain));
}

/** What is done with each image of the workload, and whether the workload is backed up at all. */
export function workloadEligibility(
  kind: WorkloadKind,
  workload: EligibilityWorkload,
  namespace: NamespaceObject,
  options: EligibilityOptions,
): Eligibility {
  const registries =
    options.sourceRegistries === undefined || options.sourceRegistries.length === 0
      ? undefined
      : new Set(options.sourceRegistries.map(registryKey));
  const images: ImageDecision[] = [];
  const invalid: InvalidImage[] = [];
  for (const { container, init, image } of workloadImages(kind, workload)) {
    let ref: ImageReference;
    try {
      ref = parseNormalizedNamed(image);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      invalid.push({ container, init, image, code: error.code, error: error.message });
      continue;
    }
    const skip = imageSkip(ref, options, registries);
    const decision = { container, init, image, reference: ref.string() };
    images.push(
      skip === undefined ? { ...decision, action: 'backup' } : { ...decision, action: 'skip', ...skip },
    );
  }
  const reason = ineligibleReason(kind, workload, namespace, options, { images, invalid });
  return reason === undefined
    ? { eligible: true, images, invalid }
    : { eligible: false, reason, images, invalid };
}

function ineligibleReason(
  kind: WorkloadKind,
  workload: EligibilityWorkload,
  namespace: NamespaceObject,
  options: EligibilityOptions,
  found: Pick<Eligibility, 'images' | 'invalid'>,
): IneligibleReason | undefined {
  const disposition = namespaceDisposition(namespace, options.excludedNamespaces, options.namespaceSelector);
  if (disposition === 'excluded') return 'namespace-excluded';
  if (disposition === 'terminating') return 'namespace-terminating';
  if (workload.metadata?.annotations?.[IGNORE_ANNOTATION] === 'true') return 'ignored';
  if (found.invalid.length > 0) return 'invalid-reference';
  if ((options.requireReady ?? true) && !isWorkloadReady(kind, workload)) return 'not-ready';
  if (!found.images.some((image) => image.action === 'backup')) return 'nothing-to-back-up';
  return undefined;
}
