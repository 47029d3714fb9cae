export { isInsecureRegistry, registryOrigin, wireHost } from './scheme.ts';
export { retryDelay } from './retry.ts';
export type { RetryPolicy } from './retry.ts';
export { OTHER_REGISTRY, registryHostLabel, registryRequestMetrics } from './metrics.ts';
export type { RequestHook, RequestObservation } from './metrics.ts';
export { resolveLocation, withQuery } from './url.ts';
