/**
 * The one exit-status policy and error prefix of every `lifeboat` command:
 * - 0 `done`: the command did what was asked (for `verify`: nothing is exposed);
 * - 1 `failed`: it could not (the cluster or a registry unreachable, a write refused, a workload
 *   exposed for `verify`, a Deployment not found), and saying so on stderr;
 * - 2 `usage`: the invocation is wrong and running it again unchanged cannot help (an unknown flag,
 *   a missing value, a value refused, a bad argument, a `--from-deployment` that is not lifeboat's).
 * Every error line on stderr reads `lifeboat: error: …` (commander's own refusals included), every
 * warning `lifeboat: warning: …`: one line each, never a stack.
 */
export const EXIT = Object.freeze({ done: 0, failed: 1, usage: 2 });

export type ExitKind = Exclude<keyof typeof EXIT, 'done'>;

export const ERROR_PREFIX = 'lifeboat: error: ';
export const WARNING_PREFIX = 'lifeboat: warning: ';

/** Causes followed at most (every loop bounded). */
const MAX_CAUSES = 5;

/**
 * The message of anything thrown, on one line, with the reasons of its causes that it does not
 * already say (`reading kubeconfig /x: ENOENT: no such file or directory, open '/x'`). Messages
 * never hold credentials (errors.ts), so neither does this.
 */
export function messageOf(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error ? err.cause : undefined;
  for (let i = 0; i < MAX_CAUSES && cause instanceof Error; i++, cause = cause.cause) {
    if (!text.includes(cause.message)) text = `${text}: ${cause.message}`;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Writes `lifeboat: error: <message>` to stderr and sets the exit status (`failed` unless said). */
export function reportError(message: string, kind: ExitKind = 'failed'): void {
  process.stderr.write(`${ERROR_PREFIX}${message}\n`);
  process.exitCode = EXIT[kind];
}

/** Writes `lifeboat: warning: <message>` to stderr; the exit status is unchanged. */
export function reportWarning(message: string): void {
  process.stderr.write(`${WARNING_PREFIX}${message}\n`);
}
