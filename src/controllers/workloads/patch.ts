// Guarded JSON patches (RFC 6902) for the changes lifeboat makes to a workload. Every operation that
// depends on what lifeboat read is preceded by a `test` of that value, so a patch built from a stale
// read fails as a whole (422, which the controller treats as a conflict: it requeues on fresh state)
// instead of overwriting another writer's change. Nothing outside the named fields is touched.
//
// Absent fields are guarded with `test` of `null`: the API server's JSON patch (evanphx/json-patch,
// as vendored by Kubernetes) accepts a `test` of `null` on a missing member, so "still absent" can be
// checked before an `add` that would otherwise replace a value another writer just set.
import { workloadImages, type WorkloadImage } from '../api/workload-images.ts';
import { podSpecOf, podSpecPointer, pointer } from '../api/workload-pointer.ts';
import type { JsonPatchOp, Workload, WorkloadKind } from '../api/workload-types.ts';

/**
 * For each image `newImage` changes (returns a different string for), a `test` of the current image
 * and a `replace` with the new one. An empty patch when nothing changes.
 */
export function imagesPatch(
  kind: WorkloadKind,
  workload: Workload,
  newImage: (image: WorkloadImage) => string | undefined,
): JsonPatchOp[] {
  return workloadImages(kind, workload).flatMap((image): JsonPatchOp[] => {
    const next = newImage(image);
    if (next === undefined || next === image.image) return [];
    return [
      { op: 'test', path: image.pointer, value: image.image },
      { op: 'replace', path: image.pointer, value: next },
    ];
  });
}

/**
 * Adds `secretName` to the pod template's `imagePullSecrets`: creates the list when absent, appends
 * otherwise (after a `test` of the whole current list), and does nothing when the name is there.
 */
export function imagePullSecretPatch(
  kind: WorkloadKind,
  workload: Workload,
  secretName: string,
): JsonPatchOp[] {
  const current = podSpecOf(kind, workload)?.imagePullSecrets;
  const path = `${podSpecPointer(kind)}${pointer('imagePullSecrets')}`;
  // Raw JSON may say null where the type says absent; the API treats both as absent.
  if (current === undefined || current === null) {
    return [
      { op: 'test', path, value: null },
      { op: 'add', path, value: [{ name: secretName }] },
    ];
  }
  if (current.some((ref) => ref.name === secretName)) return [];
  return [
    { op: 'test', path, value: current },
    { op: 'add', path: `${path}/-`, value: { name: secretName } },
  ];
}

/**
 * Sets `annotations` on the workload's own metadata: creates `metadata.annotations` when absent,
 * otherwise adds or replaces only the keys whose value differs. Other keys are never touched.
 */
export function annotationsPatch(
  workload: Workload,
  annotations: Readonly<Record<string, string>>,
): JsonPatchOp[] {
  const current = workload.metadata?.annotations;
  const path = pointer('metadata', 'annotations');
  if (current === undefined || current === null) {
    if (Object.keys(annotations).length === 0) return [];
    return [
      { op: 'test', path, value: null },
      { op: 'add', path, value: { ...annotations } },
    ];
  }
  return Object.entries(annotations)
    .filter(([key, value]) => current[key] !== value)
    .map(([key, value]) => ({ op: 'add', path: `${path}${pointer(key)}`, value }));
}

/** Removes the `keys` present on the workload's metadata, each after a `test` of the value read. */
export function removeAnnotationsPatch(workload: Workload, keys: readonly string[]): JsonPatchOp[] {
  const current = workload.metadata?.annotations ?? {};
  return keys.flatMap((key): JsonPatchOp[] => {
    const value = current[key];
    if (value === undefined) return [];
    const path = pointer('metadata', 'annotations', key);
    return [
      { op: 'test', path, value },
      { op: 'remove', path },
    ];
  });
}
