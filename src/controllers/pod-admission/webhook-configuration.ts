// The MutatingWebhookConfiguration that sends Pod CREATEs to lifeboat (issue 17). Built here once,
// pure, from the flags; `lifeboat run` installs or updates it, `lifeboat uninstall` removes it, and
// the chart renders the same settings (a test compares them).
//
// Invariant: it never blocks a Pod. failurePolicy Ignore (lifeboat down → the Pod is created as
// written), a 2 s timeout, no side effects, and selectors that leave out the namespaces lifeboat
// never touches and whatever is labelled lifeboat.dev/ignore=true.
import {
  EVERYTHING,
  isNotFound,
  matchExpressions,
  resourceClient,
  type KubeRequester,
  type LabelSelector,
  type Resource,
} from '../../kube/index.ts';
import { IGNORE_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../api/labels.ts';
import { MUTATE_PODS_PATH } from './server.ts';

export const MUTATING_WEBHOOK_CONFIGURATIONS: Resource = Object.freeze({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  plural: 'mutatingwebhookconfigurations',
  kind: 'MutatingWebhookConfiguration',
  namespaced: false,
});

/** The object's name (cluster-scoped) and its one webhook's name (must be a qualified name). */
export const WEBHOOK_CONFIGURATION_NAME = 'lifeboat';
export const WEBHOOK_NAME = 'pods.lifeboat.dev';

/** Where the API server reaches the webhook. */
export type WebhookEndpoint =
  | { readonly service: { readonly namespace: string; readonly name: string; readonly port?: number } }
  | { readonly url: string };

export interface MutatingWebhookConfiguration {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  webhooks: Record<string, unknown>[];
}

/** The hosts the serving certificate must cover to be reached at `endpoint`. */
export function endpointHosts(endpoint: WebhookEndpoint): string[] {
  if ('url' in endpoint) return [new URL(endpoint.url).hostname.replace(/^\[|\]$/g, '')];
  const { name, namespace } = endpoint.service;
  return [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}`, name];
}

export function webhookConfiguration(o: {
  endpoint: WebhookEndpoint;
  /** PEM of the CA that signed the serving certificate. */
  caBundle: string;
  /** Every namespace lifeboat leaves alone by name. */
  excludedNamespaces: ReadonlySet<string>;
  /** `--namespace-selector`: its requirements narrow the namespaces the API server sends. */
  namespaceSelector?: LabelSelector | undefined;
}): MutatingWebhookConfiguration {
  const clientConfig =
    'url' in o.endpoint
      ? { url: `${o.endpoint.url.replace(/\/+$/, '')}${MUTATE_PODS_PATH}` }
      : {
          service: {
            namespace: o.endpoint.service.namespace,
            name: o.endpoint.service.name,
            path: MUTATE_PODS_PATH,
            port: o.endpoint.service.port ?? 443,
          },
        };
  const notIgnored = { key: IGNORE_LABEL, operator: 'NotIn', values: ['true'] };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK_CONFIGURATION_NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        clientConfig: { ...clientConfig, caBundle: Buffer.from(o.caBundle, 'utf8').toString('base64') },
        rules: [
          {
            operations: ['CREATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        sideEffects: 'None',
        timeoutSeconds: 2,
        reinvocationPolicy: 'IfNeeded',
        namespaceSelector: {
          matchExpressions: [
            {
              key: 'kubernetes.io/metadata.name',
              operator: 'NotIn',
              values: [...o.excludedNamespaces].sort(),
            },
            notIgnored,
            ...matchExpressions(o.namespaceSelector ?? EVERYTHING),
          ],
        },
        objectSelector: { matchExpressions: [notIgnored] },
      },
    ],
  };
}

/**
 * Creates the configuration, or replaces it when its webhooks differ from `desired` (a guarded
 * PUT: a Conflict is the caller's to retry). Returns whether it wrote. A replacement keeps the
 * labels and annotations already there (Helm's `managed-by` and ownership, cert-manager's
 * `inject-ca-from`): lifeboat owns the webhooks, not the object's metadata; its own label is added
 * only where the object has none of that key.
 */
export async function installWebhookConfiguration(
  api: KubeRequester,
  desired: MutatingWebhookConfiguration,
): Promise<boolean> {
  const client = resourceClient<MutatingWebhookConfiguration>(api, MUTATING_WEBHOOK_CONFIGURATIONS);
  const current = await client.find(desired.metadata.name);
  if (current === undefined) {
    await client.create(desired);
    return true;
  }
  if (sameWebhooks(current.webhooks, desired.webhooks)) return false;
  await client.replace({
    ...desired,
    metadata: {
      ...desired.metadata,
      labels: { ...desired.metadata.labels, ...current.metadata.labels },
      annotations: { ...desired.metadata.annotations, ...current.metadata.annotations },
      resourceVersion: current.metadata.resourceVersion,
    },
  });
  return true;
}

/** Removes lifeboat's configuration; resolves also when it is absent. Returns whether it existed. */
export async function removeWebhookConfiguration(api: KubeRequester): Promise<boolean> {
  const client = resourceClient<MutatingWebhookConfiguration>(api, MUTATING_WEBHOOK_CONFIGURATIONS);
  try {
    if ((await client.find(WEBHOOK_CONFIGURATION_NAME)) === undefined) return false;
    await client.delete(WEBHOOK_CONFIGURATION_NAME);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Whether every field lifeboat sets has the value it wants (the API server adds defaults of its
 * own, which are not a difference).
 */
function sameWebhooks(
  current: readonly Record<string, unknown>[],
  desired: readonly Record<string, unknown>[],
): boolean {
  if (current.length !== desired.length) return false;
  return desired.every((want, i) => contains(current[i], want));
}

function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want))
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  if (want !== null && typeof want === 'object')
    return (
      have !== null &&
      typeof have === 'object' &&
      Object.entries(want).every(([k, v]) => contains((have as Record<string, unknown>)[k], v))
    );
  return have === want;
}
