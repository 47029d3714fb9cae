/**
 * Flag definitions (flag.ts) → commander options, and what was typed → one validated, frozen config
 * object. Validation happens once, at start, before any work: the first invalid value ends the
 * command with one line naming the flag (and the variable, when the value came from one) and the
 * value, never a stack trace.
 *
 * Commander only collects what was typed on the command line; the variables, the defaults and the
 * deprecated spellings are read here (`readConfig`), from an environment the caller gives, so that
 * `status --from-deployment` reads a Deployment's container environment exactly as `run` reads its
 * own. Help shows each flag's default and variable (`describeFlag`), generated as the docs are.
 */
import { Option, type Command } from 'commander';
import {
  ConfigError,
  defaultText,
  envOf,
  parseBooleanText,
  splitList,
  type ConfigOf,
  type FlagSpec,
} from './flag.ts';

/** Commander's attribute name of a flag: `--pull-secret-name` → `pullSecretName`. */
const attributeOf = (flag: string): string =>
  flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The help line of a flag: what it does, then its default and its variable. */
export function describeFlag(spec: FlagSpec): string {
  const shown = defaultText(spec);
  const extra = [
    ...(spec.required ? ['required'] : []),
    ...(shown === undefined ? [] : [`default: ${shown}`]),
    `env: ${envOf(spec)}`,
  ];
  return `${spec.help} (${extra.join('; ')})`;
}

/** The commander option that collects `flag` for `spec` (its own spelling or a deprecated one). */
function optionFor(spec: FlagSpec, flag: string, short?: string): Option {
  const names = short === undefined ? flag : `${short}, ${flag}`;
  if (spec.arg === undefined) return new Option(names, describeFlag(spec));
  const option = new Option(`${names} ${spec.arg}`, describeFlag(spec));
  // The first value given replaces the default list; later ones (the flag repeated) add to it.
  if (spec.list) option.argParser((value: string, previous?: string[]) => splitList(value, previous));
  else if (spec.repeatable)
    option.argParser((value: string, previous?: string[]) => [...(previous ?? []), value]);
  return option;
}

/**
 * The deprecated spellings each command was given as such: a spelling that is also a flag of the
 * command's own (`status --namespace`) is not there, so `readConfig` never reads it as the alias,
 * even when it reads only part of the command's flags.
 */
const ALIASES = new WeakMap<Command, Set<string>>();

/**
 * Adds every flag to `command` (booleans also get their `--no-` form; deprecated spellings are
 * hidden). Help shows each flag's default and variable.
 */
export function addFlags(command: Command, specs: readonly FlagSpec[]): Command {
  const own = new Set(specs.map((s) => s.flag));
  const aliases = ALIASES.get(command) ?? new Set<string>();
  ALIASES.set(command, aliases);
  for (const spec of specs) {
    command.addOption(optionFor(spec, spec.flag, spec.short));
    if (spec.arg === undefined) {
      command.addOption(new Option(`--no-${spec.flag.slice(2)}`, `(turns off ${spec.flag})`));
    }
    for (const alias of spec.deprecated?.flags ?? []) {
      if (own.has(alias)) continue; // the command's own flag of that name wins (flag.ts)
      aliases.add(alias);
      command.addOption(optionFor(spec, alias).hideHelp());
      if (spec.arg === undefined) command.addOption(new Option(`--no-${alias.slice(2)}`).hideHelp());
    }
  }
  command.addHelpText(
    'after',
    '\nBooleans: --x / --no-x, or their variable =true|false. Lists: comma-separated, repeatable.\n' +
      'Exit status: 0 done, 1 failed, 2 usage error (a flag or argument refused).',
  );
  return command;
}

interface Given {
  readonly raw: unknown;
  /** Where it came from, as the error names it: the flag or the variable. */
  readonly from: string;
}

/** The value typed on the command line as `flag` (commander's collection), if it was. */
function fromCommandLine(command: Command, spec: FlagSpec, flag: string): Given | undefined {
  const name = attributeOf(flag);
  if (command.getOptionValueSource(name) !== 'cli') return undefined;
  const value: unknown = command.getOptionValue(name);
  return { raw: spec.arg === undefined ? value === true : value, from: flag };
}

/** The value of variable `name`, read as the flag reads it, if it is set. */
function fromVariable(spec: FlagSpec, name: string, env: NodeJS.ProcessEnv): Given | undefined {
  const text = env[name];
  if (text === undefined) return undefined;
  if (spec.arg === undefined) {
    const raw = parseBooleanText(text);
    if (raw === undefined)
      throw new ConfigError(spec.flag, `${name} must be true or false, not ${JSON.stringify(text)}`);
    return { raw, from: name };
  }
  if (spec.list) return { raw: splitList(text), from: name };
  if (spec.repeatable) return { raw: [text], from: name };
  return { raw: text, from: name };
}

function defaultOf(spec: FlagSpec): unknown {
  if (spec.arg === undefined) return spec.default === true;
  if (spec.list) return typeof spec.default === 'string' ? splitList(spec.default) : [];
  if (spec.repeatable) return [];
  return typeof spec.default === 'string' ? spec.default : undefined;
}

/**
 * Reads and validates every flag: the command line, then the variable, then the default (a
 * deprecated spelling right after the current one, with `warn`). Throws `ConfigError` on the first
 * invalid value.
 */
export function readConfig<const S extends readonly FlagSpec[]>(
  command: Command,
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
): ConfigOf<S> {
  const added = ALIASES.get(command) ?? new Set<string>();
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const aliases = (spec.deprecated?.flags ?? []).filter((f) => added.has(f));
    let given = fromCommandLine(command, spec, spec.flag);
    for (const alias of aliases) {
      if (given !== undefined) break;
      given = fromCommandLine(command, spec, alias);
      if (given !== undefined) warn(`${alias} is deprecated: use ${spec.flag}`);
    }
    given ??= fromVariable(spec, envOf(spec), env);
    for (const name of spec.deprecated?.env ?? []) {
      if (given !== undefined) break;
      given = fromVariable(spec, name, env);
      if (given !== undefined) warn(`${name} is deprecated: use ${envOf(spec)}`);
    }
    const { raw, from } = given ?? { raw: defaultOf(spec), from: spec.flag };
    if (spec.required && (raw === undefined || raw === '')) {
      throw new ConfigError(spec.flag, `${spec.flag} is required (or ${envOf(spec)})`);
    }
    const parsed = spec.parse.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      const shown = spec.secret ? '***' : Array.isArray(raw) ? raw.join(',') : String(raw);
      // Worded as commander words its own refusals, so every bad flag reads the same.
      const via = from.startsWith('--') ? '' : ` (from ${from})`;
      throw new ConfigError(
        spec.flag,
        `option '${[spec.flag, spec.arg].filter(Boolean).join(' ')}' argument ${JSON.stringify(shown)}${via} is invalid: ${reason}`,
      );
    }
    out[spec.key] = parsed.data;
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Whether `spec` was typed on the command line (its own spelling or a deprecated one). */
export function givenOnCommandLine(command: Command, spec: FlagSpec): boolean {
  // `--no-x` sets the attribute of `--x`.
  const added = ALIASES.get(command) ?? new Set<string>();
  return [spec.flag, ...(spec.deprecated?.flags ?? []).filter((f) => added.has(f))].some(
    (flag) => command.getOptionValueSource(attributeOf(flag)) === 'cli',
  );
}
