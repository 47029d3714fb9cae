// The parts of a Pod the admission webhook reads, as a structural type over the raw JSON the API
// server sends in an AdmissionReview (no generated models). Everything the API may omit is optional.
import type { ContainerLike, LocalObjectReference } from '../api/workload-types.ts';

export interface PodLike {
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly generateName?: string | undefined;
        readonly namespace?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly annotations?: Readonly<Record<string, string>> | undefined;
        readonly creationTimestamp?: string | undefined;
      }
    | undefined;
  readonly spec?:
    | {
        readonly containers?: readonly ContainerLike[] | undefined;
        readonly initContainers?: readonly ContainerLike[] | undefined;
        /** Never rewritten: a debugging container runs what the person debugging asked for. */
        readonly ephemeralContainers?: readonly ContainerLike[] | undefined;
        readonly imagePullSecrets?: readonly LocalObjectReference[] | undefined;
      }
    | undefined;
}

/**
 * Whether `value` has the shape of a Pod as far as the webhook reads it: an object whose spec's
 * container lists, when present, are arrays of objects with a string name. Anything else is a Pod
 * lifeboat cannot decode (it is allowed unchanged, with a warning).
 */
export function isPodLike(value: unknown): value is PodLike {
  if (!isObject(value)) return false;
  const { metadata, spec } = value;
  if (metadata !== undefined && !isObject(metadata)) return false;
  if (isObject(metadata) && metadata.annotations !== undefined && !isStringMap(metadata.annotations))
    return false;
  if (!isObject(spec)) return false;
  for (const field of ['containers', 'initContainers', 'imagePullSecrets'] as const) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every(isObject)) return false;
  }
  for (const field of ['containers', 'initContainers'] as const) {
    const list = (spec[field] ?? []) as Record<string, unknown>[];
    if (
      !list.every((c) => typeof c.name === 'string' && (c.image === undefined || typeof c.image === 'string'))
    )
      return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStringMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
