/**
 * The flags of `lifeboat verify`: `status`'s (the same definitions as `run`'s, so given `run`'s
 * flags or its LIFEBOAT_* environment it judges every workload as the controller does), plus what
 * reading the backup registry takes: the pull secret (or, without one, the push secret) to read it
 * with, `--insecure-registries`, `--registry-ca`, and `--shallow`.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { INSECURE_REGISTRIES_FLAG, KUBECONFIG_FLAG, logLevelFlag, REGISTRY_CA_FLAG } from './shared-flags.ts';
import { runFlag } from './status-flags.ts';
import { namespaceName } from './values.ts';

export const VERIFY_FLAGS = [
  KUBECONFIG_FLAG,
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  defineFlag({
    key: 'workloadNamespace',
    flag: '--workload-namespace',
    short: '-n',
    arg: '<ns>',
    help: "verify only this namespace's workloads (--namespace is lifeboat's own, as for run)",
    defaultNote: 'every namespace',
    parse: namespaceName.optional(),
  }),
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
  runFlag('namespace'),
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
  INSECURE_REGISTRIES_FLAG,
  REGISTRY_CA_FLAG,
  logLevelFlag('warn'),
] as const;

export type VerifyConfig = ConfigOf<typeof VERIFY_FLAGS>;
