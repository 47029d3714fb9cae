/**
 * zod schemas for the kinds of values flags take. Each refusal says what was expected, so the
 * error line (flag, value, reason) tells the operator what to type instead.
 */
import { z } from 'zod';
import { backupMapping, parseBackupLocation, type BackupMapping } from '../../reference/index.ts';

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

/** `HOST[:PORT][/PREFIX]` of the backup registry, read as `lifeboat ref --backup-registry` reads it. */
export const backupLocation = z.string().transform((text, ctx): BackupMapping => {
  try {
    const location = parseBackupLocation(text);
    return backupMapping({
      backupRegistry: location.backupRegistry,
      prefix: location.prefix,
      flatten: false,
    });
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
