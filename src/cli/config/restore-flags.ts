/** The flags of `lifeboat restore`. `-n/--namespace` is the workloads', as in kubectl. */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import {
  ALL_NAMESPACES_FLAG,
  CONTEXT_FLAG,
  KUBE_API_BURST_FLAG,
  KUBE_API_QPS_FLAG,
  KUBECONFIG_FLAG,
  logLevelFlag,
  workloadNamespaceFlag,
} from './shared-flags.ts';
import { logFormat, workloadKinds } from './values.ts';

export const RESTORE_FLAGS = [
  KUBECONFIG_FLAG,
  CONTEXT_FLAG,
  KUBE_API_QPS_FLAG,
  KUBE_API_BURST_FLAG,
  workloadNamespaceFlag('restore only workloads of this namespace'),
  ALL_NAMESPACES_FLAG,
  defineFlag({
    key: 'kinds',
    flag: '--kinds',
    arg: '<kind,...>',
    help: 'workload kinds restored when no KIND/NAME is given (any case)',
    default: 'Deployment,DaemonSet,StatefulSet,CronJob',
    list: true,
    parse: workloadKinds,
  }),
  defineFlag({
    key: 'dryRun',
    flag: '--dry-run',
    help: 'print what would be restored; write nothing',
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'logFormat',
    flag: '--log-format',
    arg: '<json|text>',
    help: 'format of the logs on stderr (the restored workloads are listed on stdout)',
    default: 'text',
    parse: logFormat,
  }),
  logLevelFlag('warn'),
] as const;

export type RestoreConfig = ConfigOf<typeof RESTORE_FLAGS>;
