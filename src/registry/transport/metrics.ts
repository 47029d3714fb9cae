// The per-request hook and a prom-client implementation of it. The transport calls the hook once per
// request on the wire (token exchanges, retries and redirect hops each count), after the response
// headers arrive or the request fails.
import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import { wireHost } from './scheme.ts';

// prom-client is required when metrics are asked for, not when this module loads: the registry module
// is imported by every `lifeboat copy`, which never records metrics, and prom-client costs ~45 ms to load.
const require = createRequire(import.meta.url);

export interface RequestObservation {
  /** host[:port] the request went to (a redirect target or token realm counts as its own host). */
  readonly host: string;
  readonly method: string;
  /** HTTP status, or undefined when no response came (connection error, abort). */
  readonly status: number | undefined;
  readonly durationMs: number;
}

export type RequestHook = (observation: RequestObservation) => void;

/** The `host` label of every registry outside the known set. */
export const OTHER_REGISTRY = 'other';

/**
 * The `host` label for a client's registry: the entry of `known` (the backup registry and the
 * `--source-registries` entries) it is, as written there, else "other". Tenants choose the hosts in
 * their images: a label per host they write would grow the series without bound. Docker Hub's names
 * (`docker.io`, `index.docker.io`, `registry-1.docker.io`) are one registry; a port makes another.
 */
export function registryHostLabel(known: readonly string[]): (registry: string) => string {
  const key = (host: string): string => wireHost(host.toLowerCase());
  const labels = new Map<string, string>();
  for (const host of known) if (!labels.has(key(host))) labels.set(key(host), host);
  return (registry) => labels.get(key(registry)) ?? OTHER_REGISTRY;
}

/**
 * A hook recording `lifeboat_registry_requests_total{host,method,code}` and
 * `lifeboat_registry_request_duration_seconds{host,method}` into `registry`. `code` is the status, or
 * "error" when the request got no response. Call once per prom-client Registry. `host` is recorded as
 * the observation gives it: callers that serve tenants' images pass a bounded label instead of the
 * wire host (`registryHostLabel`).
 */
export function registryRequestMetrics(registry: Registry): RequestHook {
  const { Counter, Histogram } = require('prom-client') as typeof import('prom-client');
  const requests = new Counter({
    name: 'lifeboat_registry_requests_total',
    help: 'Requests sent to registries, by registry (host: the backup registry, a --source-registries entry, or "other"), method and response code ("error" when none came)',
    labelNames: ['host', 'method', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lifeboat_registry_request_duration_seconds',
    help: 'Time from sending a registry request to its response headers, by registry (as in lifeboat_registry_requests_total) and method',
    labelNames: ['host', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return ({ host, method, status, durationMs }) => {
    requests.inc({ host, method, code: status === undefined ? 'error' : String(status) });
    duration.observe({ host, method }, durationMs / 1000);
  };
}
