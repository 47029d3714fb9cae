/**
 * The flags of `lifeboat status`. What decides eligibility is `run`'s own flag definitions, picked
 * by key (the same objects, so the same spelling, variables and parsing): given `run`'s flags or
 * its LIFEBOAT_* environment, status judges every workload as the controller does.
 *
 * Its `--namespace` is lifeboat's own, as `run`'s (that namespace is excluded); the namespace to
 * show is `-n, --workload-namespace`, which kubectl users reach for as `-n`.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { KUBECONFIG_FLAG, logLevelFlag } from './shared-flags.ts';
import { namespaceName } from './values.ts';

type RunFlag = (typeof RUN_FLAGS)[number];

/** `run`'s definition of the flag with this key (not a copy); `verify` picks its flags so too. */
export function runFlag<K extends RunFlag['key']>(key: K): Extract<RunFlag, { key: K }> {
  const found = RUN_FLAGS.find((f) => f.key === key);
  if (found === undefined) throw new TypeError(`lifeboat run has no flag with key ${key}`);
  return found as Extract<RunFlag, { key: K }>;
}

export const OUTPUT_FORMATS = ['wide', 'json'] as const;

export const STATUS_FLAGS = [
  KUBECONFIG_FLAG,
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  defineFlag({
    key: 'workloadNamespace',
    flag: '--workload-namespace',
    short: '-n',
    arg: '<ns>',
    help: "show only this namespace's workloads and the backups they use (--namespace is lifeboat's own, as for run)",
    defaultNote: 'every namespace',
    parse: namespaceName.optional(),
  }),
  defineFlag({
    key: 'output',
    flag: '--output',
    short: '-o',
    arg: '<wide|json>',
    help: 'wide: more columns; json: one JSON document',
    defaultNote: 'tables',
    parse: z.enum(OUTPUT_FORMATS).optional(),
  }),
  runFlag('namespace'),
  runFlag('backupRegistry'),
  runFlag('flatten'),
  runFlag('excludeNamespaces'),
  runFlag('kinds'),
  runFlag('excludeImages'),
  runFlag('sourceRegistries'),
  runFlag('requireReady'),
  runFlag('pinDigest'),
  runFlag('rewriteMode'),
  logLevelFlag('warn'),
] as const;

export type StatusConfig = ConfigOf<typeof STATUS_FLAGS>;
