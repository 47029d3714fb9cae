/**
 * Flag definitions (flag.ts) → commander options, and commander's parsed values → one validated,
 * frozen config object. Validation happens once, at start, before any work: the first invalid
 * value ends the command with one line naming the flag (and the variable, when the value came
 * from one) and the value, never a stack trace.
 */
import { Option, type Command } from 'commander';
import { ConfigError, envNameOf, parseBooleanText, splitList, type ConfigOf, type FlagSpec } from './flag.ts';

/** Adds every flag to `command` (booleans also get their `--no-` form). */
export function addFlags(command: Command, specs: readonly FlagSpec[]): Command {
  for (const spec of specs) {
    const env = envNameOf(spec.flag);
    if (spec.arg === undefined) {
      const positive = new Option(spec.flag, spec.help);
      const negative = new Option(`--no-${spec.flag.slice(2)}`, `(turns off ${spec.flag})`);
      // The variable is read in readConfig: commander would take any value of it as true.
      command.addOption(positive);
      command.addOption(negative);
      continue;
    }
    const names = spec.short === undefined ? spec.flag : `${spec.short}, ${spec.flag}`;
    const option = new Option(`${names} ${spec.arg}`, spec.help).env(env);
    if (spec.list) {
      const defaults = typeof spec.default === 'string' ? splitList(spec.default) : [];
      // The first value given replaces the default list; later ones (the flag repeated) add to it.
      option
        .default(defaults, spec.default === undefined ? undefined : String(spec.default))
        .argParser((value: string, previous: string[]) =>
          splitList(value, previous === defaults ? [] : previous),
        );
    } else if (spec.repeatable) {
      option.default([], '').argParser((value: string, previous: string[]) => [...previous, value]);
    } else if (typeof spec.default === 'string') option.default(spec.default);
    command.addOption(option);
  }
  command.addHelpText(
    'after',
    `\nBooleans: --x / --no-x, or ${envNameOf('--x')}=true|false. Lists: comma-separated, repeatable.`,
  );
  return command;
}

/** Reads and validates every flag; throws `ConfigError` on the first invalid value. */
export function readConfig<const S extends readonly FlagSpec[]>(
  command: Command,
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const envName = envNameOf(spec.flag);
    const optionName = spec.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    let raw: unknown;
    let from: string = spec.flag;
    if (spec.arg === undefined) {
      const source = command.getOptionValueSource(optionName);
      if (source === 'cli') raw = command.getOptionValue(optionName) === true;
      else if (env[envName] !== undefined) {
        from = envName;
        raw = parseBooleanText(env[envName]);
        if (raw === undefined) {
          throw new ConfigError(
            spec.flag,
            `${envName} must be true or false, not ${JSON.stringify(env[envName])}`,
          );
        }
      } else raw = spec.default === true;
    } else {
      raw = command.getOptionValue(optionName);
      if (command.getOptionValueSource(optionName) === 'env') from = envName;
      if (spec.list && typeof raw === 'string') raw = splitList(raw);
      if ((spec.list || spec.repeatable) && raw === undefined) raw = [];
      if (spec.repeatable && typeof raw === 'string') raw = [raw];
    }
    if (spec.required && (raw === undefined || raw === '')) {
      throw new ConfigError(spec.flag, `${spec.flag} is required (or ${envName})`);
    }
    const parsed = spec.parse.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      const shown = spec.secret ? '***' : Array.isArray(raw) ? raw.join(',') : String(raw);
      // Worded as commander words its own refusals, so every bad flag reads the same.
      const via = from === spec.flag ? '' : ` (from ${from})`;
      throw new ConfigError(
        spec.flag,
        `option '${[spec.flag, spec.arg].filter(Boolean).join(' ')}' argument ${JSON.stringify(shown)}${via} is invalid: ${reason}`,
      );
    }
    out[spec.key] = parsed.data;
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/**
 * `readConfig` for a command's action: on an invalid value it prints `lifeboat <name>: <message>`
 * (one line, no stack) to stderr, sets `exitCode` and returns `undefined`. `check` validates what
 * one flag alone cannot (a combination), throwing `ConfigError`, reported the same way.
 */
export function readConfigOrReport<const S extends readonly FlagSpec[]>(
  command: Command,
  specs: S,
  exitCode: number,
  check?: (config: ConfigOf<S>) => unknown,
): ConfigOf<S> | undefined {
  try {
    const config = readConfig(command, specs);
    check?.(config);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`lifeboat ${command.name()}: ${err.message}\n`);
    process.exitCode = exitCode;
    return undefined;
  }
}
