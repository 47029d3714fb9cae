import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

/** A server process started by the test environment; its output goes to `<dir>/<name>.log`. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited; a reason for waits to fail fast. */
  exitReason(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();

// A crashed or interrupted test run must not leave servers behind: kill whatever is still running.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { readonly dir: string; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string },
): ManagedProcess {
  const logFile = join(options.dir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd ?? options.dir,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited: string | undefined;
  const exit = once(child, 'exit').then(([code, signal]) => {
    live.delete(child);
    exited = `${name} exited (code ${String(code)}, signal ${String(signal)}); see ${logFile}`;
  });
  child.on('error', (error) => {
    exited = `${name} failed to start: ${error.message}`;
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    exitReason: () => exited,
    async stop(graceMs = 10_000) {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
