/**
 * The `lifeboat` program: every command, under one convention (exit.ts). Commander's own refusals
 * (an unknown flag, a missing value or argument) are usage errors like ours: `lifeboat: error: …`,
 * exit 2; `--help` and `--version` exit 0. Commander applies these settings per command and
 * `addCommand` does not copy them, so they are set on every command of the tree.
 */
import { Command, CommanderError } from 'commander';
import { ERROR_PREFIX, EXIT, messageOf } from './exit.ts';

/** Commander's messages start `error: `; ours replace it with the one prefix. */
const prefixed = (text: string): string => `${ERROR_PREFIX}${text.replace(/^error: /, '')}`;

function applyConvention(command: Command): void {
  command
    .exitOverride()
    // One line per error, as ours: no help appended (`--help` is one flag away).
    .configureOutput({ outputError: (text, write) => write(prefixed(text)) });
  for (const sub of command.commands) applyConvention(sub);
}

/** The program with `commands` added, `--version` answering `version`, and the convention applied. */
export function lifeboatProgram(commands: readonly Command[], version: string): Command {
  const program = new Command('lifeboat')
    .description('Back up every image a cluster runs and run the workloads from the copies')
    .version(version, '--version', 'print the lifeboat version');
  for (const command of commands) program.addCommand(command);
  applyConvention(program);
  return program;
}

/**
 * Parses `argv` and runs the command; resolves with the exit status. A commander refusal is a usage
 * error (2); an exception no command caught is a failure (1), said in one line.
 */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.done;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.done : EXIT.usage;
    process.stderr.write(`${ERROR_PREFIX}${messageOf(err)}\n`);
    return EXIT.failed;
  }
}
