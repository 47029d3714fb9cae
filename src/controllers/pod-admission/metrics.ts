// The admission webhook's metrics (issue 17): requests by result and how long an answer took.
import { Counter, Histogram, type Registry } from 'prom-client';

export type AdmissionResult = 'mutated' | 'unchanged' | 'error';

export interface AdmissionMetrics {
  observe(result: AdmissionResult, seconds: number): void;
}

/**
 * Buckets from 0.5 ms: a cached answer takes well under a millisecond, and the API server gives up
 * at timeoutSeconds (2 s), so the top bucket is 2.5 s.
 */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function admissionMetrics(registry: Registry): AdmissionMetrics {
  const requests = new Counter({
    name: 'lifeboat_admission_requests_total',
    help: 'Pod admission reviews answered, by result: mutated (images moved to backups), unchanged, or error (a review or Pod that could not be read; the Pod is still allowed)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lifeboat_admission_duration_seconds',
    help: 'Time from receiving a Pod admission review to sending its answer',
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  for (const result of ['mutated', 'unchanged', 'error'] as const) requests.labels(result);
  return {
    observe(result, seconds) {
      requests.labels(result).inc();
      duration.observe(seconds);
    },
  };
}
