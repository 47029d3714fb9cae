export type { Clock, TimerHandle } from './workqueue/clock.ts';
export { realClock } from './workqueue/clock.ts';
export type { Queue, QueueGetResult, QueueOptions } from './workqueue/queue.ts';
export { createQueue } from './workqueue/queue.ts';
export type { DelayingQueue, DelayingQueueOptions } from './workqueue/delaying-queue.ts';
export { createDelayingQueue } from './workqueue/delaying-queue.ts';
export type {
  RateLimiter,
  ExponentialRateLimiterOptions,
  BucketRateLimiterOptions,
} from './workqueue/rate-limiters.ts';
export {
  createExponentialRateLimiter,
  createBucketRateLimiter,
  maxOfRateLimiters,
  defaultControllerRateLimiter,
} from './workqueue/rate-limiters.ts';
export type { RateLimitingQueue, RateLimitingQueueOptions } from './workqueue/rate-limiting-queue.ts';
export { createRateLimitingQueue } from './workqueue/rate-limiting-queue.ts';
export type { QueueMetrics } from './workqueue/metrics.ts';
export type { Controller, ControllerOptions, Reconciler, ReconcileResult } from './controller.ts';
export { createController, ControllerAlreadyStartedError } from './controller.ts';
export { waitForSync } from './wait-for-sync.ts';
export type { HealthServer, HealthServerOptions, ReadyCheck } from './health-server.ts';
export { startHealthServer, HealthServerListenError } from './health-server.ts';
// The signal handler lives in src/common (the CLI commands use it too); re-exported for controllers.
export type { ShutdownOptions, SignalSource } from '../common/shutdown-signal.ts';
export { onShutdownSignal } from '../common/shutdown-signal.ts';
export type { KubeApi, KubeApiOptions, KubeRequester, RawRequestOptions, RawResponse } from './api-client.ts';
export { createKubeApi, KUBE_API_DEFAULTS } from './api-client.ts';
export type { KubeStatus } from './api-client-errors.ts';
export {
  KubeApiError,
  KubeConfigError,
  KubeTransportError,
  WatchError,
  isGone,
  isTemporaryKubeStatus,
} from './api-client-errors.ts';
export type { RetryOptions as KubeRetryOptions } from './api-client-retry.ts';
export type { KubeConfigEnv } from './kubeconfig.ts';
export { loadKubeConfig } from './kubeconfig.ts';
export type { KubeObject, Store } from './store.ts';
export { objectKey } from './store.ts';
export type { Informer, InformerHandlers, InformerOptions, InformerStats } from './informer.ts';
export { createInformer, dropNoise, INFORMER_DEFAULTS } from './informer.ts';
export type { LeaderElectionOptions, LeaderElector } from './leader-election.ts';
export { createLeaderElector, LEADER_ELECTION_DEFAULTS } from './leader-election.ts';
export type { Leadership } from './leader-only-metrics.ts';
export { exportsObjectCounts, leadershipOf, whileLeading } from './leader-only-metrics.ts';
export type { Resource, PathOptions } from './resource.ts';
export { RESOURCES, apiVersionOf, resourcePath } from './resource.ts';
export type {
  CallOptions,
  DeleteOptions,
  JsonPatchOp,
  NamedObject,
  ListOptions,
  ObjectList,
  ResourceClient,
  WriteOptions,
} from './resource-client.ts';
export {
  DEFAULT_FIELD_MANAGER,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  resourceClient,
} from './resource-client.ts';
export type { EventRecorder, EventRecorderOptions } from './event-recorder.ts';
export { createEventRecorder, EVENT_RECORDER_DEFAULTS } from './event-recorder.ts';
export type { EventInput, EventType, ObjectReference } from './event-body.ts';
export { objectReference } from './event-body.ts';
export type { IndexFunc, Indexer } from './indexer.ts';
export { createIndexer, indexByNamespace, INDEX } from './indexer.ts';
export type {
  InformerRequest,
  SharedInformer,
  SharedInformers,
  SharedInformersOptions,
  SharedInformerSettings,
} from './shared-informers.ts';
export { createSharedInformers, informerName } from './shared-informers.ts';
export type { LabelRequirement, LabelSelector, LabelSelectorRequirement } from './label-selector.ts';
export {
  EVERYTHING,
  formatLabelSelector,
  LabelSelectorError,
  matchesLabels,
  matchExpressions,
  parseLabelSelector,
} from './label-selector.ts';
