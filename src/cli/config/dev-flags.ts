/** The flags of `lifeboat dev`, the embedded environment. */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { positiveInteger } from './values.ts';
import { REWRITE_MODE_FLAG } from './run-flags.ts';

export const DEV_FLAGS = [
  defineFlag({
    key: 'nodes',
    flag: '--nodes',
    arg: '<n>',
    help: 'fake kwok nodes',
    default: '2',
    parse: positiveInteger,
  }),
  defineFlag({
    key: 'demoImages',
    flag: '--demo-images',
    help: 'push demo images to the source registry',
    default: true,
    parse: z.boolean(),
  }),
  REWRITE_MODE_FLAG,
] as const;

export type DevConfig = ConfigOf<typeof DEV_FLAGS>;
