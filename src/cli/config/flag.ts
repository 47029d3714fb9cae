/**
 * One flag of a command, defined once: its spelling, its `LIFEBOAT_*` variable, its help, its
 * default and the zod schema that turns what the user typed into a typed value. Commander options
 * (commander.ts) and the docs table (docs.ts) are generated from these definitions, so the three
 * cannot drift.
 *
 * Invariants:
 * - The variable is `LIFEBOAT_` + the flag in upper case with `-` as `_` (`envOf`), derived, unless
 *   `env` names another: only where the derived name would mislead (`--lifeboat-namespace` is
 *   `LIFEBOAT_OWN_NAMESPACE`; the workloads' `--namespace` is `LIFEBOAT_WORKLOAD_NAMESPACE`, as
 *   `LIFEBOAT_NAMESPACE` once meant lifeboat's own).
 * - A `deprecated` spelling (a flag or a variable) still works, with a warning, so that existing
 *   installs and scripts keep running; the current spelling wins when both are given. A deprecated
 *   flag that a command defines as a flag of its own (`status -n/--namespace`) is that flag there.
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
  /** A one-letter alias as kubectl has them (`-o`, `-n`, `-A`). */
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
  /** The variable, when the derived `LIFEBOAT_*` name would mislead (see `envOf`). */
  readonly env?: `LIFEBOAT_${string}`;
  /** Old spellings still read, each with a warning on stderr (hidden from help). */
  readonly deprecated?: { readonly flags?: readonly `--${string}`[]; readonly env?: readonly string[] };
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

/** The variable of a flag: its own `env`, else the derived name. */
export const envOf = (spec: Pick<FlagSpec, 'flag' | 'env'>): string => spec.env ?? envNameOf(spec.flag);

/** What help and docs show as a flag's default: its note, its value (booleans: false unless said) or nothing. */
export function defaultText(spec: FlagSpec): string | undefined {
  if (spec.defaultNote !== undefined) return spec.defaultNote;
  if (spec.default !== undefined) return String(spec.default);
  return spec.arg === undefined ? 'false' : undefined;
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
