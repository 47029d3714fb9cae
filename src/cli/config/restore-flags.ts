/** The flags of `lifeboat restore`. Its `--namespace` is the workloads', not lifeboat's own. */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { KUBE_API_BURST_FLAG, KUBE_API_QPS_FLAG, KUBECONFIG_FLAG, logLevelFlag } from './shared-flags.ts';
import { logFormat, namespaceName, workloadKinds } from './values.ts';

export const RESTORE_FLAGS = [
  KUBECONFIG_FLAG,
  KUBE_API_QPS_FLAG,
  KUBE_API_BURST_FLAG,
  defineFlag({
    key: 'namespace',
    flag: '--namespace',
    arg: '<ns>',
    help: 'restore only workloads of this namespace',
    defaultNote: 'every namespace',
    parse: namespaceName.optional(),
  }),
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
