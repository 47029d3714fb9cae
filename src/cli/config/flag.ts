/**
 * One flag of a command, defined once: its spelling, its `LIFEBOAT_*` variable, its help, its
 * default and the zod schema that turns what the user typed into a typed value. Commander options
 * (commander.ts) and the docs table (docs.ts) are generated from these definitions, so the three
 * cannot drift.
 *
 * Invariants:
 * - The variable is always `LIFEBOAT_` + the flag in upper case with `-` as `_`; it is derived,
 *   never written by hand.
 * - A flag without `arg` is a boolean: `--x` / `--no-x` on the command line, `true|false|1|0|yes|
 *   no|on|off` in its variable; anything else there is an error (commander alone would take any
 *   value of the variable as true).
 * - A `list` flag takes comma-separated values and may be repeated; its variable is comma-separated.
 *   A `repeatable` flag takes one value per occurrence (paths); its variable holds one value.
 * - A `secret` flag's value is never quoted back, not even in the error that refuses it.
 * - `parse` receives the raw value (string, string[] or boolean) or `undefined` when the flag was
 *   not given and has no default; a failed parse is a `ConfigError` naming the flag and the value.
 */
import type { z } from 'zod';
import { LifeboatError } from '../../common/errors.ts';

export interface FlagSpec<K extends string = string, V = unknown> {
  /** Property of the parsed config object (camelCase of the flag). */
  readonly key: K;
  /** `--backup-registry`. */
  readonly flag: `--${string}`;
  /** A one-letter alias as kubectl has them (`-o`); only for flags with an `arg`. */
  readonly short?: `-${string}`;
  /** `<host[:port][/prefix]>`; absent for a boolean flag. */
  readonly arg?: string;
  readonly help: string;
  /** As the user would type it; shown in help and docs. Booleans: true or false. */
  readonly default?: string | boolean;
  readonly list?: boolean;
  /** Refused when absent (after the variable and the default are considered). */
  readonly required?: boolean;
  /** Shown in the docs for a default that is computed (e.g. "in-cluster, else ~/.kube/config"). */
  readonly defaultNote?: string;
  /** Repeatable, one value per occurrence (no comma split): file paths, which may contain commas. */
  readonly repeatable?: boolean;
  /** A credential: its value never appears in an error message. */
  readonly secret?: boolean;
  readonly parse: z.ZodType<V>;
}

/** Identity, for inference: each definition keeps its own key and value type in a `const` list. */
export const defineFlag = <K extends string, V>(spec: FlagSpec<K, V>): FlagSpec<K, V> => spec;

export type ConfigOf<S extends readonly FlagSpec[]> = {
  readonly [F in S[number] as F['key']]: F extends FlagSpec<string, infer V> ? V : never;
};

/** `--pull-secret-name` → `LIFEBOAT_PULL_SECRET_NAME`. */
export function envNameOf(flag: string): string {
  return `LIFEBOAT_${flag.replace(/^--/, '').replaceAll('-', '_').toUpperCase()}`;
}

/** A configuration value that cannot be used. Never temporary: the operator must change it. */
export class ConfigError extends LifeboatError {
  readonly code = 'CONFIG_INVALID';
  readonly temporary = false;
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.flag = flag;
  }
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

/** The strict reading of a boolean variable; `undefined` when the text is not a boolean. */
export function parseBooleanText(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return undefined;
}

/** `a,b` given once or repeated → [a, b]; blanks dropped. */
export function splitList(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}
