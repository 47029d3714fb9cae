/**
 * The flags of `lifeboat uninstall`: only what it reads. From `run`'s definitions (so it looks for
 * what `run` added under the same names): the connection, lifeboat's own namespace (never touched:
 * `run` adds nothing there), the backup registry and `--flatten` (to find the workloads that still
 * run backups), the copies' name, the log flags; its own: `--force` and `--dry-run`.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { runFlag } from './status-flags.ts';

export const FORCE_FLAG = defineFlag({
  key: 'force',
  flag: '--force',
  help: 'uninstall even while workloads run images from the backup registry (their new pods then cannot pull them): without it uninstall lists them and removes nothing',
  default: false,
  parse: z.boolean(),
});

export const UNINSTALL_DRY_RUN_FLAG = defineFlag({
  key: 'dryRun',
  flag: '--dry-run',
  help: 'list what would be removed (each namespace: its copy, the service accounts that reference it) and the workloads that would block it; remove nothing, exit 0',
  default: false,
  parse: z.boolean(),
});

export const UNINSTALL_FLAGS = [
  runFlag('kubeconfig'),
  runFlag('context'),
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  runFlag('lifeboatNamespace'),
  runFlag('backupRegistry'),
  runFlag('flatten'),
  runFlag('pullSecretName'),
  FORCE_FLAG,
  UNINSTALL_DRY_RUN_FLAG,
  runFlag('logFormat'),
  runFlag('logLevel'),
] as const;

export type UninstallConfig = ConfigOf<typeof UNINSTALL_FLAGS>;
