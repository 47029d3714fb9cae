// One admission review answered: decode the Pod, decide, and say what happened. No I/O: the
// ImageBackups and Namespaces come from the informers' caches, so an answer never waits on a registry or the API.
import type { NamespaceObject } from '../api/core-objects.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import type { JsonPatchOp } from '../api/workload-types.ts';
import { decidePodAdmission, type PodAdmissionOptions } from './decide.ts';
import type { AdmissionResult } from './metrics.ts';
import { isPodLike } from './pod.ts';
import type { AdmissionRequest } from './review.ts';

export interface AdmissionAnswer {
  readonly result: AdmissionResult;
  readonly patch: readonly JsonPatchOp[];
  readonly warnings: readonly string[];
}

export type Admit = (request: AdmissionRequest) => AdmissionAnswer;

export function podAdmitter(
  backups: { get(name: string): ImageBackup | undefined },
  namespaces: { get(name: string): NamespaceObject | undefined },
  options: PodAdmissionOptions,
): Admit {
  return (request) => {
    // Only CREATE is registered; anything else (a misconfigured webhook) is let through untouched.
    if (request.operation !== 'CREATE') return { result: 'unchanged', patch: [], warnings: [] };
    if (!isPodLike(request.object))
      return {
        result: 'error',
        patch: [],
        warnings: ['lifeboat could not read this Pod; its images were left as written'],
      };
    const { patch } = decidePodAdmission({
      pod: request.object,
      namespace: request.namespace,
      namespaceObject: namespaces.get(request.namespace),
      backups,
      options,
    });
    return { result: patch.length === 0 ? 'unchanged' : 'mutated', patch, warnings: [] };
  };
}
