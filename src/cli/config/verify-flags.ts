/**
 * The flags of `lifeboat verify`, in two parts as `status`'s:
 * - its own (`VERIFY_OWN_FLAGS`): the cluster, `-n`/`-A`, the output, `--shallow`, the registry CA
 *   files (files of this machine: a Deployment's are paths inside its pod), `--from-deployment`;
 * - `run`'s definitions of what eligibility and reading the backup registry take
 *   (`VERIFY_RUN_FLAGS`): given `run`'s flags or its LIFEBOAT_* environment, or read from the
 *   controller's Deployment, verify judges every workload as the controller does.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import {
  ALL_NAMESPACES_FLAG,
  CONTEXT_FLAG,
  KUBECONFIG_FLAG,
  logLevelFlag,
  REGISTRY_CA_FLAG,
  workloadNamespaceFlag,
} from './shared-flags.ts';
import { FROM_DEPLOYMENT_FLAG, runFlag } from './status-flags.ts';

export const VERIFY_OWN_FLAGS = [
  KUBECONFIG_FLAG,
  CONTEXT_FLAG,
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  workloadNamespaceFlag("verify only this namespace's workloads"),
  ALL_NAMESPACES_FLAG,
  defineFlag({
    key: 'output',
    flag: '--output',
    short: '-o',
    arg: '<json>',
    help: 'json: one JSON document',
    defaultNote: 'a table',
    parse: z.enum(['json']).optional(),
  }),
  defineFlag({
    key: 'shallow',
    flag: '--shallow',
    help: 'check manifests and anchors only, not the config and layer blobs',
    default: false,
    parse: z.boolean(),
  }),
  REGISTRY_CA_FLAG,
  FROM_DEPLOYMENT_FLAG,
  logLevelFlag('warn'),
] as const;

export const VERIFY_RUN_FLAGS = [
  runFlag('lifeboatNamespace'),
  runFlag('backupRegistry'),
  runFlag('flatten'),
  runFlag('backupPullSecret'),
  runFlag('pullSecretName'),
  runFlag('backupPushSecret'),
  runFlag('excludeNamespaces'),
  runFlag('namespaceSelector'),
  runFlag('kinds'),
  runFlag('excludeImages'),
  runFlag('sourceRegistries'),
  runFlag('requireReady'),
  runFlag('pinDigest'),
  runFlag('privateImages'),
  runFlag('rewriteMode'),
  runFlag('insecureRegistries'),
] as const;

export const VERIFY_FLAGS = [...VERIFY_OWN_FLAGS, ...VERIFY_RUN_FLAGS] as const;

export type VerifyConfig = ConfigOf<typeof VERIFY_FLAGS>;
