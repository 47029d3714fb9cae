/**
 * The flags of `lifeboat uninstall`: `run`'s (so it looks for what `run` added under the same names),
 * plus `--force`.
 */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { RUN_FLAGS } from './run-flags.ts';

export const FORCE_FLAG = defineFlag({
  key: 'force',
  flag: '--force',
  help: 'uninstall even while workloads run images from the backup registry (their new pods then cannot pull them): without it uninstall lists them and removes nothing',
  default: false,
  parse: z.boolean(),
});

export const UNINSTALL_FLAGS = [...RUN_FLAGS, FORCE_FLAG] as const;

export type UninstallConfig = ConfigOf<typeof UNINSTALL_FLAGS>;
