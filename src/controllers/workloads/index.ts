// Pure helpers over workload objects (Deployment, DaemonSet, StatefulSet, CronJob) for the controllers:
// the images a workload runs, and guarded JSON patches that change them. Plain objects in and out.
export { WORKLOAD_KINDS } from './types.ts';
export type {
  ContainerLike,
  CronJobWorkload,
  JsonPatchOp,
  LocalObjectReference,
  ObjectMetaLike,
  PodSpecLike,
  PodTemplateWorkload,
  Workload,
  WorkloadKind,
} from './types.ts';
export { escapePointerToken, podSpecOf, podSpecPointer, pointer } from './pointer.ts';
export { workloadImages } from './images.ts';
export type { WorkloadImage } from './images.ts';
export { annotationsPatch, imagePullSecretPatch, imagesPatch, removeAnnotationsPatch } from './patch.ts';
export { registryKey, workloadEligibility } from './eligibility.ts';
export type {
  Eligibility,
  EligibilityOptions,
  EligibilityWorkload,
  ImageDecision,
  ImageSkipReason,
  IneligibleReason,
  InvalidImage,
} from './eligibility.ts';
export { globToRegExp, matchingGlob } from './image-glob.ts';
export { isWorkloadReady } from './readiness.ts';
export type { ReadinessFields } from './readiness.ts';
