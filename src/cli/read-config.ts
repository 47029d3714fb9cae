// `readConfig` for a command's action, under the one exit-status policy (exit.ts).
import type { Command } from 'commander';
import { readConfig } from './config/commander.ts';
import { ConfigError, type ConfigOf, type FlagSpec } from './config/flag.ts';
import { reportError, reportWarning } from './exit.ts';

/**
 * `readConfig` for a command's action: deprecated spellings are warned about on stderr; an invalid
 * value is reported as a usage error (one `lifeboat: error:` line, exit 2) and `undefined` returned.
 * `check` validates what one flag alone cannot (a combination), throwing `ConfigError`, reported the
 * same way.
 */
export function readConfigOrReport<const S extends readonly FlagSpec[]>(
  command: Command,
  specs: S,
  check?: (config: ConfigOf<S>) => unknown,
): ConfigOf<S> | undefined {
  try {
    const config = readConfig(command, specs, process.env, reportWarning);
    check?.(config);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportError(err.message, 'usage');
    return undefined;
  }
}
