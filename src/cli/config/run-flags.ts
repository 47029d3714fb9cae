/**
 * The flags of `lifeboat run` (and `lifeboat uninstall`, which must be given the same ones to find
 * what `run` added). Names are part of the interface: documented, scripted against, in the chart.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import {
  backupLocation,
  listenAddress,
  logFormat,
  logLevel,
  namespaceName,
  objectName,
  objectRef,
} from './values.ts';

/** Namespaces lifeboat never touches, whatever the flags say (its own is added at start). */
export const ALWAYS_EXCLUDED_NAMESPACES = Object.freeze(['kube-system', 'kube-public', 'kube-node-lease']);

export const RUN_FLAGS = [
  defineFlag({
    key: 'kubeconfig',
    flag: '--kubeconfig',
    arg: '<path>',
    help: 'kubeconfig file (else $KUBECONFIG, else in-cluster, else ~/.kube/config)',
    defaultNote: '$KUBECONFIG, in-cluster, ~/.kube/config',
    parse: z.string().min(1).optional(),
  }),
  defineFlag({
    key: 'namespace',
    flag: '--namespace',
    arg: '<ns>',
    help: "lifeboat's own namespace: its Lease and its push secret live here; never given pull secrets",
    default: 'lifeboat-system',
    parse: namespaceName,
  }),
  defineFlag({
    key: 'backupRegistry',
    flag: '--backup-registry',
    arg: '<host[:port][/prefix]>',
    help: 'the registry (and optional path prefix) that holds the backups',
    required: true,
    parse: backupLocation,
  }),
  defineFlag({
    key: 'backupPullSecret',
    flag: '--backup-pull-secret',
    arg: '<ns/name>',
    help: 'kubernetes.io/dockerconfigjson Secret with READ-ONLY credentials for the backup registry, copied to every namespace (none: no pull-secret distribution)',
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'pullSecretName',
    flag: '--pull-secret-name',
    arg: '<name>',
    help: 'name of the pull-secret copy in each namespace',
    default: 'lifeboat-pull',
    parse: objectName,
  }),
  defineFlag({
    key: 'pullSecretServiceAccounts',
    flag: '--pull-secret-service-accounts',
    arg: '<name,...>',
    help: 'service accounts given the pull secret in each namespace; * means all of them',
    default: 'default',
    list: true,
    parse: z.array(z.union([z.literal('*'), objectName])).min(1, 'name at least one service account, or *'),
  }),
  defineFlag({
    key: 'excludeNamespaces',
    flag: '--exclude-namespaces',
    arg: '<ns,...>',
    help: `namespaces left alone, besides ${ALWAYS_EXCLUDED_NAMESPACES.join(', ')}, lifeboat's own and those labelled lifeboat.dev/ignore=true`,
    list: true,
    parse: z.array(namespaceName),
  }),
  defineFlag({
    key: 'leaderElect',
    flag: '--leader-elect',
    help: 'elect a leader through a Lease so that only one replica works',
    default: true,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'metricsAddr',
    flag: '--metrics-addr',
    arg: '<host:port>',
    help: 'where /healthz, /readyz and /metrics are served',
    default: ':8080',
    parse: listenAddress,
  }),
  defineFlag({
    key: 'logFormat',
    flag: '--log-format',
    arg: '<json|text>',
    help: 'json lines for machines, text for people',
    default: 'json',
    parse: logFormat,
  }),
  defineFlag({
    key: 'logLevel',
    flag: '--log-level',
    arg: '<level>',
    help: 'fatal, error, warn, info, debug, trace or silent',
    default: 'info',
    parse: logLevel,
  }),
] as const;

export type RunConfig = ConfigOf<typeof RUN_FLAGS>;
