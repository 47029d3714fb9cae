/**
 * zod schemas for the kinds of values flags take. Each refusal says what was expected, so the
 * error line (flag, value, reason) tells the operator what to type instead.
 */
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { globToRegExp } from '../../controllers/workloads/image-glob.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../controllers/api/workload-types.ts';
import { backupMapping, parseBackupLocation } from '../../reference/index.ts';
import { parsePlatform } from '../../registry/manifest/platform.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A namespace name (DNS-1123 label, ≤ 63). */
export const namespaceName = z
  .string()
  .max(63, 'a namespace name has at most 63 characters')
  .regex(DNS1123_LABEL, 'expected a namespace name (lower-case letters, digits and -)');

/** An object name such as a Secret's (DNS-1123 subdomain, ≤ 253). */
export const objectName = z
  .string()
  .max(253, 'an object name has at most 253 characters')
  .regex(DNS1123_SUBDOMAIN, 'expected an object name (lower-case letters, digits, - and .)');

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** `NS/NAME` of a namespaced object. */
export const objectRef = z.string().transform((text, ctx): ObjectRef => {
  const [namespace = '', name = '', extra] = text.split('/');
  if (
    extra !== undefined ||
    !namespaceName.safeParse(namespace).success ||
    !objectName.safeParse(name).success
  ) {
    ctx.addIssue({ code: 'custom', message: 'expected NAMESPACE/NAME' });
    return z.NEVER;
  }
  return { namespace, name };
});

/** Where backups go, without the mapping mode: `--flatten` completes it (see `backupMappingOf`). */
export interface BackupLocation {
  /** Host as references name it, lower-cased (`index.docker.io` read as `docker.io`). */
  readonly backupRegistry: string;
  /** Repository prefix, `''` for none. */
  readonly prefix: string;
}

/**
 * `HOST[:PORT][/PREFIX]` of the backup registry, read as `lifeboat ref --backup-registry` reads it
 * and checked as the nested mapping checks it; the flatten-only rule is checked with `--flatten`.
 */
export const backupLocation = z.string().transform((text, ctx): BackupLocation => {
  try {
    const location = parseBackupLocation(text);
    const { backupRegistry, prefix } = backupMapping({ ...location, flatten: false });
    return Object.freeze({ backupRegistry, prefix });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    return z.NEVER;
  }
});

/** `HOST:PORT`, `[V6]:PORT` or `:PORT` (every interface). */
export const listenAddress = z
  .string()
  .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^:[\]]*):\d{1,5}$/, 'expected HOST:PORT, [IPV6]:PORT or :PORT')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'the port is above 65535');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export const logFormat = z.enum(['json', 'text']);

/** A whole number ≥ 1, as typed. */
export const positiveInteger = z
  .string()
  .regex(/^\s*\d+\s*$/, 'expected a positive integer')
  .transform(Number)
  .refine((n) => n >= 1, 'expected a positive integer');

/**
 * A number above 0, as typed: decimals allowed (`0.5` is one every two seconds), and an exponent
 * (`1e+06` is how Helm prints a large number).
 */
export const positiveNumber = z
  .string()
  .regex(/^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/, 'expected a positive number')
  .transform(Number)
  .refine((n) => n > 0 && Number.isFinite(n), 'expected a positive number');

/** `os/arch[/variant]`, each checked as the copy engine reads it; empty means every platform. */
export const platformList = z.array(
  z.string().superRefine((text, ctx) => {
    try {
      parsePlatform(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  }),
);

const HOST = String.raw`(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)`;
const PORT = String.raw`(?::\d{1,5})?`;

/** `HOST[:PORT]` of a registry, as image references name it. */
const registryHost = z.string().regex(new RegExp(`^${HOST}${PORT}$`), 'expected HOST[:PORT]');

/** `--source-registries`: hosts as image references name them (compared case-insensitively later). */
export const registryHosts = z.array(registryHost);

/**
 * `--insecure-registries`: `HOST[:PORT]`; a scheme and a path are tolerated (and ignored) because
 * `lifeboat copy` always accepted them, as skopeo does.
 */
export const insecureRegistryList = z.array(
  z
    .string()
    .regex(new RegExp(`^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?${HOST}${PORT}(?:/.*)?$`), 'expected HOST[:PORT]'),
);

/** Files that exist and can be read now, so a typo stops the command at start, not at first use. */
export const readableFiles = z.array(
  z.string().superRefine((path, ctx) => {
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  }),
);

/** `--kinds`: names as kubectl prints them, in any case; canonical, deduplicated, never empty. */
export const workloadKinds = z
  .array(z.string())
  .transform((names, ctx): WorkloadKind[] => {
    const kinds: WorkloadKind[] = [];
    for (const name of names) {
      const kind = WORKLOAD_KINDS.find((k) => k.toLowerCase() === name.toLowerCase());
      if (kind === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown kind ${JSON.stringify(name)}: expected ${WORKLOAD_KINDS.join(', ')}`,
        });
        return z.NEVER;
      }
      if (!kinds.includes(kind)) kinds.push(kind);
    }
    return kinds;
  })
  .refine((kinds) => kinds.length > 0, `name at least one of ${WORKLOAD_KINDS.join(', ')}`);

/**
 * `--exclude-images` globs. Only `*` and `**` are special (image-glob.ts); characters no image
 * reference holds (`?`, `[`, spaces…) are refused, as an operator writing them expects a meaning
 * they do not have.
 */
export const imageGlobs = z.array(
  z
    .string()
    .regex(
      /^[A-Za-z0-9._:@/*-]+$/,
      'expected an image glob: reference characters, * within a path segment, ** across segments',
    )
    .superRefine((glob, ctx) => {
      try {
        globToRegExp(glob);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      }
    }),
);
