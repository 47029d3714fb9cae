// What the admission webhook does to one Pod at CREATE (issue 17), decided from cached objects
// alone: which images move to their backups, and the JSON patch (RFC 6902) the API server applies.
// Pure: no registry, no API call; server.ts answers the AdmissionReview with it.
//
// Invariants:
// - An image is moved only to a backup that is Ready with a `targetDigest` (and, for a source that
//   pins a digest, holds that very digest), and only when the Pod's namespace may read it: the
//   backup is not private, or the namespace is in its `status.readers`. The same `readyBackup` and
//   `backupImage` as the workload rewrite, so both modes point at the same reference.
// - A Pod is moved only in a namespace every other controller treats as active (namespaceExclusion:
//   not listed, not labelled lifeboat.dev/ignore=true, inside `--namespace-selector`), judged from the
//   cached Namespace; a namespace the cache does not hold yet is judged by name alone, and under a
//   selector is left out (its labels are unknown, and outside the selector it gets no pull secret).
// - Ephemeral containers are never touched; an image without such a backup is left as written.
// - Idempotent: an image already in the backup area is skipped, so a reinvocation (or a Pod made
//   from a template lifeboat already rewrote) gets an empty patch.
// - No `test` operations: the API server applies an admission patch to the very object it sent.
import { parseNormalizedNamed, type BackupMapping } from '../../reference/index.ts';
import { backupImage, readyBackup } from '../api/backup-image.ts';
import { backupSource } from '../api/backup-source.ts';
import { mayRead } from '../api/backup-readers.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { originalImagesOf, runsBackupImage } from '../api/original-images.ts';
import { pointer } from '../api/workload-pointer.ts';
import type { JsonPatchOp } from '../api/workload-types.ts';
import type { PodLike } from './pod.ts';
import type { LabelSelector } from '../../kube/index.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { namespaceExclusion } from '../api/namespace-disposition.ts';

export interface PodAdmissionOptions {
  readonly mapping: BackupMapping;
  /** `--pin-digest`: `{mapped}:{tag}@{digest}` rather than `{mapped}:{tag}`. */
  readonly pinDigest: boolean;
  /** The pull-secret copy in each namespace; undefined: nothing added to imagePullSecrets. */
  readonly pullSecretName?: string | undefined;
  /** Namespaces left alone by name (the webhook's namespace selector should keep them out anyway). */
  readonly excludedNamespaces: ReadonlySet<string>;
  /** `--namespace-selector`; undefined selects every namespace. */
  readonly namespaceSelector?: LabelSelector | undefined;
}

export interface PodAdmissionInput {
  readonly pod: PodLike;
  /** The AdmissionReview's `request.namespace`: a Pod being created may not carry its own yet. */
  readonly namespace: string;
  /** That namespace as the informer caches it; undefined: not (yet) in the cache. */
  readonly namespaceObject?: NamespaceObject | undefined;
  /** The ImageBackups by name (the informer's cache). */
  readonly backups: { get(name: string): ImageBackup | undefined };
  readonly options: PodAdmissionOptions;
}

/** One container moved to its backup. */
export interface PodImageRewrite {
  readonly container: string;
  readonly init: boolean;
  /** As written in the Pod. */
  readonly image: string;
  readonly target: string;
}

/** Why an image stays as written (for logs and tests; nothing is reported per Pod). */
export type KeptReason = 'on-backup' | 'invalid-reference' | 'no-ready-backup' | 'private';

export interface PodAdmission {
  readonly rewrites: readonly PodImageRewrite[];
  readonly kept: readonly { readonly container: string; readonly reason: KeptReason }[];
  /** Empty when nothing changes. */
  readonly patch: JsonPatchOp[];
}

const NOTHING: PodAdmission = Object.freeze({ rewrites: [], kept: [], patch: [] });

export function decidePodAdmission(input: PodAdmissionInput): PodAdmission {
  const { pod, options } = input;
  if (!namespaceActive(input)) return NOTHING;
  const rewrites: PodImageRewrite[] = [];
  const kept: { container: string; reason: KeptReason }[] = [];
  const ops: JsonPatchOp[] = [];
  const lists = [
    ['initContainers', pod.spec?.initContainers],
    ['containers', pod.spec?.containers],
  ] as const;
  for (const [field, containers] of lists) {
    for (const [index, container] of (containers ?? []).entries()) {
      const image = container.image;
      if (typeof image !== 'string' || image === '') continue;
      const decision = targetOf(image, input);
      if (typeof decision !== 'string') {
        kept.push({ container: container.name, reason: decision.reason });
        continue;
      }
      rewrites.push({ container: container.name, init: field === 'initContainers', image, target: decision });
      ops.push({ op: 'replace', path: pointer('spec', field, index, 'image'), value: decision });
    }
  }
  if (rewrites.length === 0) return { rewrites, kept, patch: [] };
  if (options.pullSecretName !== undefined) ops.push(...pullSecretOps(pod, options.pullSecretName));
  ops.push(...originalsOps(pod, rewrites, options.mapping));
  return { rewrites, kept, patch: ops };
}

/** The same rule as every controller's (namespace-disposition.ts), from the cache. */
function namespaceActive({ namespace, namespaceObject, options }: PodAdmissionInput): boolean {
  if (namespaceObject === undefined)
    return !options.excludedNamespaces.has(namespace) && options.namespaceSelector === undefined;
  return (
    namespaceExclusion(namespaceObject, options.excludedNamespaces, options.namespaceSelector) === undefined
  );
}

function targetOf(image: string, input: PodAdmissionInput): string | { reason: KeptReason } {
  const { options, namespace } = input;
  if (runsBackupImage(image, options.mapping)) return { reason: 'on-backup' };
  let source;
  let name;
  try {
    source = backupSource(parseNormalizedNamed(image));
    name = imageBackupName(source);
  } catch {
    return { reason: 'invalid-reference' };
  }
  const backup = input.backups.get(name);
  const ready = readyBackup(backup, source);
  if (backup === undefined || ready === undefined) return { reason: 'no-ready-backup' };
  if (!mayRead(backup, namespace)) return { reason: 'private' };
  return backupImage(source, ready, options.pinDigest);
}

function pullSecretOps(pod: PodLike, secretName: string): JsonPatchOp[] {
  const current = pod.spec?.imagePullSecrets;
  const path = pointer('spec', 'imagePullSecrets');
  // Raw JSON may say null where the type says absent.
  if (current === undefined || current === null) return [{ op: 'add', path, value: [{ name: secretName }] }];
  if (current.some((ref) => ref.name === secretName)) return [];
  return [{ op: 'add', path: `${path}/-`, value: { name: secretName } }];
}

/**
 * ORIGINAL_IMAGES as the workloads carry it (container name → image before lifeboat), on the Pod:
 * entries an earlier invocation wrote stay for containers still on their backup, and every container
 * moved now gets its original.
 */
function originalsOps(
  pod: PodLike,
  rewrites: readonly PodImageRewrite[],
  mapping: BackupMapping,
): JsonPatchOp[] {
  // The annotation is read from metadata alone, whatever object carries it.
  const before = originalImagesOf({ metadata: pod.metadata }) ?? {};
  const originals: Record<string, string> = {};
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const earlier = before[container.name];
    if (
      earlier !== undefined &&
      typeof container.image === 'string' &&
      runsBackupImage(container.image, mapping)
    )
      originals[container.name] = earlier;
  }
  for (const r of rewrites) originals[r.container] = r.image;
  const value = JSON.stringify(originals);
  if (pod.metadata?.annotations === undefined || pod.metadata.annotations === null)
    return [
      { op: 'add', path: pointer('metadata', 'annotations'), value: { [ORIGINAL_IMAGES_ANNOTATION]: value } },
    ];
  return [{ op: 'add', path: pointer('metadata', 'annotations', ORIGINAL_IMAGES_ANNOTATION), value }];
}
