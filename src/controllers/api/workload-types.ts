// The parts of workload objects these helpers read, as structural types over the raw JSON the API
// server sends (no generated models): only what is needed, every field optional that the API may
// omit. List items carry no `kind`, so the kind is always passed beside the object.

export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob'] as const;

export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface ContainerLike {
  readonly name: string;
  /** Optional in the API type (config tools fill it later); a pod template that runs has one. */
  readonly image?: string | undefined;
}

export interface LocalObjectReference {
  readonly name?: string | undefined;
}

export interface PodSpecLike {
  readonly containers?: readonly ContainerLike[] | undefined;
  readonly initContainers?: readonly ContainerLike[] | undefined;
  readonly imagePullSecrets?: readonly LocalObjectReference[] | undefined;
  readonly serviceAccountName?: string | undefined;
}

export interface ObjectMetaLike {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

interface PodTemplateLike {
  readonly spec?: PodSpecLike | undefined;
}

/** A Deployment, DaemonSet or StatefulSet: the pod template at `spec.template`. */
export interface PodTemplateWorkload {
  readonly metadata?: ObjectMetaLike | undefined;
  readonly spec?: { readonly template?: PodTemplateLike | undefined } | undefined;
}

/** A CronJob: the pod template at `spec.jobTemplate.spec.template`. */
export interface CronJobWorkload {
  readonly metadata?: ObjectMetaLike | undefined;
  readonly spec?:
    | { readonly jobTemplate?: { readonly spec?: { readonly template?: PodTemplateLike } } | undefined }
    | undefined;
}

export type Workload = PodTemplateWorkload | CronJobWorkload;

/** One RFC 6902 operation, of the kinds these helpers build. */
/** RFC 6902 operations, as the kube resource client sends them. */
export type { JsonPatchOp } from '../../kube/index.ts';
