/** The flags of `lifeboat ref`. The combination rules (a prefix given twice, …) live in the mapping. */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';

export const REF_FLAGS = [
  defineFlag({
    key: 'backupRegistry',
    flag: '--backup-registry',
    arg: '<host[/prefix]>',
    help: 'backup registry host, optionally followed by the repository prefix',
    parse: z.string().optional(),
  }),
  defineFlag({
    key: 'prefix',
    flag: '--prefix',
    arg: '<path>',
    help: 'repository prefix inside the backup registry',
    parse: z.string().optional(),
  }),
  defineFlag({
    key: 'flatten',
    flag: '--flatten',
    help: 'one path component per source image, for registries that allow a single level',
    default: false,
    parse: z.boolean(),
  }),
] as const;

export type RefConfig = ConfigOf<typeof REF_FLAGS>;
