// JSON pointers (RFC 6901) to the fields these helpers patch, built from one list of segments per
// workload kind so that where a field is read and where it is patched cannot drift apart.
import type { PodSpecLike, Workload, WorkloadKind } from './workload-types.ts';

/** Where each kind keeps its pod spec. */
const POD_SPEC_SEGMENTS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** One reference token: `~` becomes `~0` and `/` becomes `~1` (`lifeboat.dev~1original-images`). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The pointer of `segments`: `/spec/template/spec`. */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapePointerToken(String(s))}`).join('');
}

/** The pointer of the pod spec of a `kind`: `/spec/template/spec`, `/spec/jobTemplate/spec/template/spec`. */
export function podSpecPointer(kind: WorkloadKind): string {
  return pointer(...POD_SPEC_SEGMENTS[kind]);
}

/** The pod spec of a workload of `kind`; undefined when the object has none (never for a valid one). */
export function podSpecOf(kind: WorkloadKind, workload: Workload): PodSpecLike | undefined {
  let node: unknown = workload;
  for (const segment of POD_SPEC_SEGMENTS[kind]) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node !== null && typeof node === 'object' ? node : undefined;
}
