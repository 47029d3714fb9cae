/** Flags that several commands take, defined once so that their spelling and parsing cannot drift. */
import { z } from 'zod';
import { defineFlag } from './flag.ts';
import { insecureRegistryList, logLevel, positiveInteger, positiveNumber, readableFiles } from './values.ts';

/** How every command that talks to the cluster finds it. */
export const KUBECONFIG_FLAG = defineFlag({
  key: 'kubeconfig',
  flag: '--kubeconfig',
  arg: '<path>',
  help: 'kubeconfig file (else $KUBECONFIG, else in-cluster, else ~/.kube/config)',
  defaultNote: '$KUBECONFIG, in-cluster, ~/.kube/config',
  parse: z.string().min(1).optional(),
});

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
  default: '50',
  parse: positiveNumber,
});

export const KUBE_API_BURST_FLAG = defineFlag({
  key: 'kubeApiBurst',
  flag: '--kube-api-burst',
  arg: '<n>',
  help: 'requests to the Kubernetes API server allowed at once above --kube-api-qps after a quiet period',
  default: '100',
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
