/** Flags that several commands take, defined once so that their spelling and parsing cannot drift. */
import { z } from 'zod';
import { defineFlag } from './flag.ts';
import { insecureRegistryList, logLevel, readableFiles } from './values.ts';

/** How every command that talks to the cluster finds it. */
export const KUBECONFIG_FLAG = defineFlag({
  key: 'kubeconfig',
  flag: '--kubeconfig',
  arg: '<path>',
  help: 'kubeconfig file (else $KUBECONFIG, else in-cluster, else ~/.kube/config)',
  defaultNote: '$KUBECONFIG, in-cluster, ~/.kube/config',
  parse: z.string().min(1).optional(),
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
