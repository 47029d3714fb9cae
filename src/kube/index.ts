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
export type { HealthServer, HealthServerOptions, ReadyCheck } from './health-server.ts';
export { startHealthServer, HealthServerListenError } from './health-server.ts';
export type { ShutdownOptions, SignalSource } from './shutdown.ts';
export { onShutdownSignal } from './shutdown.ts';
