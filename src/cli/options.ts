// Option parsing shared by the commands: every bad value becomes commander's InvalidArgumentError,
// which prints `error: option '--x <v>' argument 'y' is invalid. …` and exits 1, never a stack trace.
import { InvalidArgumentError, type Command } from 'commander';

/** An argParser for a positive integer flag. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer.');
  }
  return n;
}

/**
 * The value of a boolean flag. Commander sets a boolean flag from its env var whenever the variable
 * exists, whatever its value: `LIFEBOAT_JSON=false` must not mean true, so the value is read here.
 */
export function booleanFlag(command: Command, option: string, envName: string): boolean {
  if (command.getOptionValueSource(option) !== 'env') return command.getOptionValue(option) === true;
  const value = process.env[envName];
  const normalized = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(normalized)) return false;
  throw new InvalidArgumentError(`${envName} must be true or false, not ${JSON.stringify(value)}`);
}
