/**
 * What the API server calls a resource: the group/version/plural triple that names a collection,
 * plus whether its objects live in namespaces. Every API path lifeboat uses is built here, from a
 * descriptor, never by hand elsewhere: a typo in a hand-built path is a 404 at run time, a typo in
 * a descriptor is one place to fix.
 */
export interface Resource {
  /** '' for the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural as in the URL: `deployments`, `imagebackups`. */
  readonly plural: string;
  /** `kind` of one object, for Events' `regarding` and for objects lifeboat creates. */
  readonly kind: string;
  readonly namespaced: boolean;
}

/** `apiVersion` of the resource's objects: `v1`, `apps/v1`. */
export function apiVersionOf(r: Resource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export interface PathOptions {
  /** Omitted for a namespaced resource: the collection across all namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  /** `status`, `scale`, … (needs `name`). */
  readonly subresource?: string;
}

/**
 * `/api/v1/namespaces/ns/secrets/name`, `/apis/apps/v1/deployments`, … Names are URL-encoded
 * segments. Throws a TypeError on a combination the API has no path for (a namespace on a
 * cluster-scoped resource, a subresource without a name) — a programming error, not input.
 */
export function resourcePath(r: Resource, o: PathOptions = {}): string {
  if (o.namespace !== undefined && !r.namespaced) {
    throw new TypeError(`${r.plural} is cluster-scoped: no namespace in its path`);
  }
  if (o.subresource !== undefined && o.name === undefined) {
    throw new TypeError(`subresource ${o.subresource} of ${r.plural} needs an object name`);
  }
  const segments = [r.group === '' ? 'api' : 'apis'];
  if (r.group !== '') segments.push(r.group);
  segments.push(r.version);
  if (o.namespace !== undefined) segments.push('namespaces', o.namespace);
  segments.push(r.plural);
  if (o.name !== undefined) segments.push(o.name);
  if (o.subresource !== undefined) segments.push(o.subresource);
  return '/' + segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}

/** The resources lifeboat reads or writes; one literal each so the names cannot drift. */
export const RESOURCES = Object.freeze({
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  serviceAccounts: {
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
  },
  configMaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  daemonSets: { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  statefulSets: {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
  },
  cronJobs: { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  events: { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  customResourceDefinitions: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
  },
} satisfies Record<string, Resource>);
