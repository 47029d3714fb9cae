// The workload controller (controller.ts: informers → handlers → queue), its pure decision
// (decide.ts, which `lifeboat status` and `lifeboat dev` call too), its effects (apply.ts), and the
// pure helpers the decision is built from: eligibility, guarded JSON patches, the rewrite plan.
export { WORKLOAD_KINDS } from '../api/workload-types.ts';
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
} from '../api/workload-types.ts';
export { escapePointerToken, podSpecOf, podSpecPointer, pointer } from '../api/workload-pointer.ts';
export { workloadImages } from '../api/workload-images.ts';
export type { WorkloadImage } from '../api/workload-images.ts';
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
export { createWorkloadController } from './controller.ts';
export { decideWorkload } from './decide.ts';
export type { Decision, DecisionOptions, LeaveReason, Step, WaitReason, WorkloadSnapshot } from './decide.ts';
export type { WorkloadController, WorkloadControllerOptions } from './controller.ts';
export { changeCause, planRewrite } from './rewrite.ts';
export type { BackupNeed, ImageRewrite, RewriteInput, RewritePlanFlags, RewritePlan } from './rewrite.ts';
export { isReverted, originalImagesOf, runsBackupImage } from '../api/original-images.ts';
export {
  DEFAULT_SERVICE_ACCOUNT,
  serviceAccountNameOf,
  workloadPullSecretRefs,
} from '../api/pull-secret-refs.ts';
export type { ServiceAccountLike } from '../api/pull-secret-refs.ts';
export { WORKLOAD_RESOURCES, parseWorkloadKey, workloadKey } from '../api/workload-resources.ts';
export type { RewriteResult } from './metrics.ts';
export { DEFAULT_PRIVATE_IMAGES, MAX_READERS, PRIVATE_IMAGES_MODES } from './private-images.ts';
export type { PrivateImages } from './private-images.ts';
