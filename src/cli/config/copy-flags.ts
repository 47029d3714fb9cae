/** The flags of `lifeboat copy`, spelled as skopeo spells them. */
import { z } from 'zod';
import { defineFlag, type ConfigOf } from './flag.ts';
import { INSECURE_REGISTRIES_FLAG, REGISTRY_CA_FLAG } from './shared-flags.ts';
import { platformList, positiveInteger } from './values.ts';

export const COPY_FLAGS = [
  defineFlag({
    key: 'platforms',
    flag: '--platforms',
    arg: '<os/arch[/variant],...>',
    help: 'copy only these platforms (writes a new index)',
    list: true,
    parse: platformList,
  }),
  defineFlag({
    key: 'jobs',
    flag: '--jobs',
    arg: '<n>',
    help: 'blobs copied at once',
    parse: positiveInteger.optional(),
  }),
  defineFlag({
    key: 'authfile',
    flag: '--authfile',
    arg: '<path>',
    help: 'docker config.json with credentials',
    defaultNote: '$REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json',
    parse: z.string().min(1).optional(),
  }),
  defineFlag({
    key: 'srcCreds',
    flag: '--src-creds',
    arg: '<user:password>',
    help: 'credentials for the source registry',
    secret: true,
    parse: z.string().optional(),
  }),
  defineFlag({
    key: 'dstCreds',
    flag: '--dst-creds',
    arg: '<user:password>',
    help: 'credentials for the target registry',
    secret: true,
    parse: z.string().optional(),
  }),
  INSECURE_REGISTRIES_FLAG,
  REGISTRY_CA_FLAG,
  defineFlag({
    key: 'json',
    flag: '--json',
    help: 'print the result as one JSON line on stdout',
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'logLevel',
    flag: '--log-level',
    arg: '<level>',
    help: 'level of the JSON logs on stderr: silent, error, warn, info or debug',
    default: 'warn',
    parse: z.enum(['silent', 'error', 'warn', 'info', 'debug']),
  }),
] as const;

export type CopyConfig = ConfigOf<typeof COPY_FLAGS>;
