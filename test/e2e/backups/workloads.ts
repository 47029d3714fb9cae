// The four workload kinds lifeboat rewrites, built and read as plain JSON by the tests (no product
// code, so a bug in lifeboat's own workload helpers cannot hide here), plus the Events lifeboat
// records about them.
import { waitFor } from '../../../src/devenv/index.ts';
import {
  RESOURCES,
  resourceClient,
  type KubeApi,
  type KubeObject,
  type Resource,
} from '../../../src/kube/index.ts';
import { WAIT } from './backup-env.ts';

export type Kind = 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'CronJob';
export const KINDS: readonly Kind[] = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob'];

export const KIND_RESOURCES: Readonly<Record<Kind, Resource>> = {
  Deployment: RESOURCES.deployments,
  DaemonSet: RESOURCES.daemonSets,
  StatefulSet: RESOURCES.statefulSets,
  CronJob: RESOURCES.cronJobs,
};

export interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  imagePullSecrets?: { name: string }[];
  nodeSelector?: Record<string, string>;
  [field: string]: unknown;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface WorkloadObject extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec: {
    replicas?: number;
    template?: PodTemplate;
    jobTemplate?: { spec: { template: PodTemplate } };
    [field: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
  };
}

export interface WorkloadInput {
  readonly kind: Kind;
  readonly name: string;
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly imagePullSecrets?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** A selector no node matches keeps the pods Pending: the workload never becomes Ready. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

export interface WorkloadRef {
  readonly kind: Kind;
  readonly namespace: string;
  readonly name: string;
}

export const refOf = (kind: Kind, namespace: string, name: string): WorkloadRef => ({
  kind,
  namespace,
  name,
});
export const describeRef = (r: WorkloadRef): string => `${r.kind} ${r.namespace}/${r.name}`;

/** The manifest of `input`: one replica, a pod template labelled `app: NAME`. */
export function workloadManifest(input: WorkloadInput): WorkloadObject {
  const labels = { app: input.name };
  const template: PodTemplate = {
    metadata: { labels },
    spec: {
      containers: input.containers.map((c) => ({ ...c })),
      ...(input.initContainers ? { initContainers: input.initContainers.map((c) => ({ ...c })) } : {}),
      ...(input.imagePullSecrets
        ? { imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })) }
        : {}),
      ...(input.nodeSelector ? { nodeSelector: { ...input.nodeSelector } } : {}),
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
    },
  };
  const metadata = {
    name: input.name,
    ...(input.annotations ? { annotations: { ...input.annotations } } : {}),
  };
  const selector = { matchLabels: labels };
  switch (input.kind) {
    case 'Deployment':
      return { metadata, spec: { replicas: 1, selector, template } };
    case 'StatefulSet':
      return { metadata, spec: { replicas: 1, selector, serviceName: input.name, template } };
    case 'DaemonSet':
      return { metadata, spec: { selector, template } };
    case 'CronJob':
      // Once a year: the CronJob never runs during a test; it is rewritten without being Ready.
      return {
        metadata,
        spec: {
          schedule: '0 0 1 1 *',
          jobTemplate: {
            spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } },
          },
        },
      };
  }
}

export function workloads(api: KubeApi, kind: Kind) {
  return resourceClient<WorkloadObject>(api, KIND_RESOURCES[kind]);
}

export async function createWorkload(
  api: KubeApi,
  namespace: string,
  input: WorkloadInput,
): Promise<WorkloadRef> {
  await workloads(api, input.kind).create(workloadManifest(input), { namespace });
  return refOf(input.kind, namespace, input.name);
}

export function getWorkload(api: KubeApi, r: WorkloadRef): Promise<WorkloadObject> {
  return workloads(api, r.kind).get(r.name, { namespace: r.namespace });
}

export function podTemplateOf(w: WorkloadObject): PodTemplate {
  const template = w.spec.template ?? w.spec.jobTemplate?.spec.template;
  if (!template) throw new Error(`${w.metadata.namespace}/${w.metadata.name} has no pod template`);
  return template;
}

/** Container name → image, init containers included. */
export function imagesOf(w: WorkloadObject): Record<string, string> {
  const spec = podTemplateOf(w).spec;
  return Object.fromEntries(
    [...(spec.initContainers ?? []), ...spec.containers].map((c) => [c.name, c.image]),
  );
}

/** Every container's image starts with `prefix` (e.g. the backup registry's `host/`). */
export function allImagesUnder(w: WorkloadObject, prefix: string): boolean {
  return Object.values(imagesOf(w)).every((image) => image.startsWith(prefix));
}

/**
 * The rollout of the workload's current generation completed with every pod Ready (kwok makes pods
 * Ready once they are scheduled). A CronJob has no pods until it runs: always true.
 */
export function rolledOut(kind: Kind, w: WorkloadObject): boolean {
  const s = w.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (w.metadata.generation ?? 1);
  switch (kind) {
    case 'Deployment': {
      const want = w.spec.replicas ?? 1;
      return observed && s.updatedReplicas === want && s.readyReplicas === want && s.replicas === want;
    }
    case 'StatefulSet': {
      const want = w.spec.replicas ?? 1;
      return (
        observed &&
        s.readyReplicas === want &&
        s.currentRevision === s.updateRevision &&
        s.updatedReplicas === want
      );
    }
    case 'DaemonSet':
      return (
        observed &&
        (s.desiredNumberScheduled ?? 0) > 0 &&
        s.numberReady === s.desiredNumberScheduled &&
        s.updatedNumberScheduled === s.desiredNumberScheduled
      );
    case 'CronJob':
      return true;
  }
}

export async function waitRolledOut(
  api: KubeApi,
  r: WorkloadRef,
  timeoutMs: number = WAIT.timeoutMs,
): Promise<void> {
  await waitFor(async () => rolledOut(r.kind, await getWorkload(api, r)), {
    what: `${describeRef(r)} rolled out with every pod Ready`,
    timeoutMs,
    intervalMs: WAIT.intervalMs,
  });
}

/** Waits until `check` holds for the workload, and returns the object that satisfied it. */
export async function waitWorkload(
  api: KubeApi,
  r: WorkloadRef,
  what: string,
  check: (w: WorkloadObject) => boolean,
  timeoutMs: number = WAIT.timeoutMs,
): Promise<WorkloadObject> {
  let last: WorkloadObject | undefined;
  await waitFor(
    async () => {
      last = await getWorkload(api, r);
      return check(last);
    },
    { what: `${describeRef(r)}: ${what}`, timeoutMs, intervalMs: WAIT.intervalMs },
  );
  return last!;
}

export interface EventObject extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { kind?: string; name?: string; namespace?: string };
  series?: { count?: number };
}

/** events.k8s.io Events in `namespace` with `reason`, about `regarding` when given. */
export async function eventsFor(
  api: KubeApi,
  namespace: string,
  reason: string,
  regarding?: WorkloadRef,
): Promise<EventObject[]> {
  const all = await resourceClient<EventObject>(api, RESOURCES.events).listAll({ namespace });
  return all.filter(
    (e) =>
      e.reason === reason &&
      (regarding === undefined ||
        (e.regarding?.kind === regarding.kind && e.regarding.name === regarding.name)),
  );
}

/** How many times an Event was recorded: a series counts each of its occurrences. */
export const occurrences = (events: readonly EventObject[]): number =>
  events.reduce((n, e) => n + (e.series?.count ?? 1), 0);

export async function waitEvent(
  api: KubeApi,
  r: WorkloadRef,
  reason: string,
  timeoutMs: number = WAIT.timeoutMs,
): Promise<EventObject> {
  let found: EventObject | undefined;
  await waitFor(
    async () => {
      found = (await eventsFor(api, r.namespace, reason, r))[0];
      return found !== undefined;
    },
    { what: `Event ${reason} on ${describeRef(r)}`, timeoutMs, intervalMs: 250 },
  );
  return found!;
}
