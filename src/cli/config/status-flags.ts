/**
 * The flags of `lifeboat status`, in two parts:
 * - its own (`STATUS_OWN_FLAGS`): how to reach the cluster, which namespace to show (`-n`, `-A`, as
 *   kubectl), the output, and `--from-deployment`;
 * - what decides eligibility (`STATUS_RUN_FLAGS`): `run`'s own flag definitions, picked by key (the
 *   same objects, so the same spelling, variables and parsing). Given `run`'s flags or its LIFEBOAT_*
 *   environment, or read from the controller's Deployment with `--from-deployment`, status judges
 *   every workload as the controller does.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { RUN_FLAGS } from './run-flags.ts';
import {
  ALL_NAMESPACES_FLAG,
  CONTEXT_FLAG,
  KUBECONFIG_FLAG,
  logLevelFlag,
  workloadNamespaceFlag,
} from './shared-flags.ts';
import { objectRef } from './values.ts';

type RunFlag = (typeof RUN_FLAGS)[number];

/** `run`'s definition of the flag with this key (not a copy); `verify` picks its flags so too. */
export function runFlag<K extends RunFlag['key']>(key: K): Extract<RunFlag, { key: K }> {
  const found = RUN_FLAGS.find((f) => f.key === key);
  if (found === undefined) throw new TypeError(`lifeboat run has no flag with key ${key}`);
  return found as Extract<RunFlag, { key: K }>;
}

export const OUTPUT_FORMATS = ['wide', 'json'] as const;

/** `--from-deployment NS/NAME`: `run`'s flags read from the controller's Deployment (from-deployment.ts). */
export const FROM_DEPLOYMENT_FLAG = defineFlag({
  key: 'fromDeployment',
  flag: '--from-deployment',
  arg: '<ns/name>',
  help: "read run's flags (backup registry, exclusions, …) from the args and env of this lifeboat Deployment instead of the command line",
  defaultNote: 'the command line',
  parse: objectRef.optional(),
});

export const STATUS_OWN_FLAGS = [
  KUBECONFIG_FLAG,
  CONTEXT_FLAG,
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  workloadNamespaceFlag("show only this namespace's workloads and the backups they use"),
  ALL_NAMESPACES_FLAG,
  defineFlag({
    key: 'output',
    flag: '--output',
    short: '-o',
    arg: '<wide|json>',
    help: 'wide: more columns; json: one JSON document',
    defaultNote: 'tables',
    parse: z.enum(OUTPUT_FORMATS).optional(),
  }),
  FROM_DEPLOYMENT_FLAG,
  logLevelFlag('warn'),
] as const;

export const STATUS_RUN_FLAGS = [
  runFlag('lifeboatNamespace'),
  runFlag('backupRegistry'),
  runFlag('flatten'),
  runFlag('excludeNamespaces'),
  runFlag('namespaceSelector'),
  runFlag('kinds'),
  runFlag('excludeImages'),
  runFlag('sourceRegistries'),
  runFlag('requireReady'),
  runFlag('pinDigest'),
  runFlag('privateImages'),
  runFlag('rewriteMode'),
] as const;

export const STATUS_FLAGS = [...STATUS_OWN_FLAGS, ...STATUS_RUN_FLAGS] as const;

export type StatusConfig = ConfigOf<typeof STATUS_FLAGS>;
