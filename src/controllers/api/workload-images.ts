// The images a workload runs: every container and init container of its pod template, with the
// container's name and the JSON pointer of its `image` field (what a patch tests and replaces).
import { podSpecOf, podSpecPointer, pointer } from './workload-pointer.ts';
import type { Workload, WorkloadKind } from './workload-types.ts';

export interface WorkloadImage {
  /** The container's name; unique across containers and init containers of a pod. */
  readonly container: string;
  readonly init: boolean;
  /** As written in the workload (not normalised). */
  readonly image: string;
  /** `/spec/template/spec/initContainers/0/image`. */
  readonly pointer: string;
}

/** Init containers first, then containers, each in the order of the spec; containers without an image are left out. */
export function workloadImages(kind: WorkloadKind, workload: Workload): WorkloadImage[] {
  const spec = podSpecOf(kind, workload);
  const base = podSpecPointer(kind);
  const images: WorkloadImage[] = [];
  const lists = [
    ['initContainers', spec?.initContainers],
    ['containers', spec?.containers],
  ] as const;
  for (const [field, containers] of lists) {
    for (const [index, container] of (containers ?? []).entries()) {
      if (typeof container.image !== 'string' || container.image === '') continue;
      images.push({
        container: container.name,
        init: field === 'initContainers',
        image: container.image,
        pointer: `${base}${pointer(field, index, 'image')}`,
      });
    }
  }
  return images;
}
