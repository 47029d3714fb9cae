/**
 * The flags of `lifeboat uninstall`: only what it reads, in two parts as `status`'s:
 * - its own (`UNINSTALL_OWN_FLAGS`): the connection, `--force`, `--dry-run`, `--from-deployment`, the
 *   log flags;
 * - `run`'s definitions of what names what `run` added (`UNINSTALL_RUN_FLAGS`): lifeboat's own
 *   namespace (never touched: `run` adds nothing there), the backup registry and `--flatten` (to
 *   find the workloads that still run backups), the copies' name. Given as `run` was given them, or
 *   read from the controller's Deployment with `--from-deployment`.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { FROM_DEPLOYMENT_FLAG, runFlag } from './status-flags.ts';

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

export const UNINSTALL_OWN_FLAGS = [
  runFlag('kubeconfig'),
  runFlag('context'),
  runFlag('kubeApiQps'),
  runFlag('kubeApiBurst'),
  FORCE_FLAG,
  UNINSTALL_DRY_RUN_FLAG,
  FROM_DEPLOYMENT_FLAG,
  runFlag('logFormat'),
  runFlag('logLevel'),
] as const;

export const UNINSTALL_RUN_FLAGS = [
  runFlag('lifeboatNamespace'),
  runFlag('backupRegistry'),
  runFlag('flatten'),
  runFlag('pullSecretName'),
  runFlag('rewriteMode'),
  runFlag('webhookCertSecret'),
] as const;

export const UNINSTALL_FLAGS = [...UNINSTALL_OWN_FLAGS, ...UNINSTALL_RUN_FLAGS] as const;

export type UninstallConfig = ConfigOf<typeof UNINSTALL_FLAGS>;
