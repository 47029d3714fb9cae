/** Flags that several commands take, defined once so that their spelling and parsing cannot drift. */
import { z } from 'zod';
import { defineFlag } from './flag.ts';
import { ConfigError } from './flag.ts';
import {
  insecureRegistryList,
  logLevel,
  namespaceName,
  positiveInteger,
  positiveNumber,
  readableFiles,
} from './values.ts';

/** How every command that talks to the cluster finds it. */
export const KUBECONFIG_FLAG = defineFlag({
  key: 'kubeconfig',
  flag: '--kubeconfig',
  arg: '<path>',
  help: 'kubeconfig file (else $KUBECONFIG, else in-cluster, else ~/.kube/config)',
  defaultNote: '$KUBECONFIG, in-cluster, ~/.kube/config',
  parse: z.string().min(1).optional(),
});

/** Which context of the kubeconfig, as kubectl's `--context`. */
export const CONTEXT_FLAG = defineFlag({
  key: 'context',
  flag: '--context',
  arg: '<name>',
  help: 'the kubeconfig context to use, as kubectl --context',
  defaultNote: "the kubeconfig's current-context",
  parse: z.string().min(1).optional(),
});

/**
 * Lifeboat's own namespace (its Lease, its push secret; never given pull secrets), for every command
 * that needs it. Its variable is not the derived `LIFEBOAT_LIFEBOAT_NAMESPACE`; `--namespace` and
 * `LIFEBOAT_NAMESPACE` are what `run` called it before `-n/--namespace` came to mean the workloads'
 * namespace, as in kubectl.
 */
export const LIFEBOAT_NAMESPACE_FLAG = defineFlag({
  key: 'lifeboatNamespace',
  flag: '--lifeboat-namespace',
  arg: '<ns>',
  help: "lifeboat's own namespace: its Lease and its push secret live here; never given pull secrets",
  default: 'lifeboat-system',
  env: 'LIFEBOAT_OWN_NAMESPACE',
  deprecated: { flags: ['--namespace'], env: ['LIFEBOAT_NAMESPACE'] },
  parse: namespaceName,
});

/**
 * `-n/--namespace`: the namespace of the workloads a command shows or changes, as in kubectl. Its
 * variable is not `LIFEBOAT_NAMESPACE`, which meant lifeboat's own namespace (see above).
 */
export const workloadNamespaceFlag = (help: string) =>
  defineFlag({
    key: 'namespace',
    flag: '--namespace',
    short: '-n',
    arg: '<ns>',
    help,
    defaultNote: 'every namespace',
    env: 'LIFEBOAT_WORKLOAD_NAMESPACE',
    deprecated: { flags: ['--workload-namespace'] },
    parse: namespaceName.optional(),
  });

/** `-A/--all-namespaces`, as in kubectl: every namespace (also the default), never with `-n`. */
export const ALL_NAMESPACES_FLAG = defineFlag({
  key: 'allNamespaces',
  flag: '--all-namespaces',
  short: '-A',
  help: 'every namespace, as kubectl -A (also what no -n means)',
  default: false,
  parse: z.boolean(),
});

/**
 * The one namespace to act on, or `undefined` for all of them. `-n` with `-A` asks for both: a
 * `ConfigError` (a usage error), as kubectl refuses it.
 */
export function workloadScope(config: {
  namespace: string | undefined;
  allNamespaces: boolean;
}): string | undefined {
  if (config.allNamespaces && config.namespace !== undefined) {
    throw new ConfigError('--all-namespaces', '-n/--namespace and -A/--all-namespaces exclude each other');
  }
  return config.namespace;
}

/**
 * The Kubernetes client's token bucket (client-go's `rest.Config` QPS and Burst): every request of
 * the process to the API server, informers' lists and watches, writes and Events, takes a token.
 * The defaults are `KUBE_API_DEFAULTS` of src/kube/api-client.ts (a test holds them equal), written
 * out because reading the flags must not load the Kubernetes client.
 */
export const KUBE_API_QPS_FLAG = defineFlag({
  key: 'kubeApiQps',
  flag: '--kube-api-qps',
  arg: '<n>',
  help: 'sustained requests per second to the Kubernetes API server (bench/controller measures the effect; see docs/benchmarks.md)',
  default: '100',
  parse: positiveNumber,
});

export const KUBE_API_BURST_FLAG = defineFlag({
  key: 'kubeApiBurst',
  flag: '--kube-api-burst',
  arg: '<n>',
  help: 'requests to the Kubernetes API server allowed at once above --kube-api-qps after a quiet period',
  default: '200',
  parse: positiveInteger,
});

export const INSECURE_REGISTRIES_FLAG = defineFlag({
  key: 'insecureRegistries',
  flag: '--insecure-registries',
  arg: '<host[:port],...>',
  help: 'registries reached over plain HTTP',
  list: true,
  parse: insecureRegistryList,
});

export const REGISTRY_CA_FLAG = defineFlag({
  key: 'registryCa',
  flag: '--registry-ca',
  arg: '<file>',
  help: 'extra CA certificate (PEM) to trust; repeat the flag for several',
  repeatable: true,
  parse: readableFiles,
});

/** `--log-level`, whose default suits the command: a controller's info, a one-shot command's warn. */
export const logLevelFlag = (level: z.infer<typeof logLevel>) =>
  defineFlag({
    key: 'logLevel',
    flag: '--log-level',
    arg: '<level>',
    help: 'fatal, error, warn, info, debug, trace or silent',
    default: level,
    parse: logLevel,
  });
