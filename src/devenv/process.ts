import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

/** A server process started by the embedded environment; its output goes to `<dir>/<name>.log`. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited; a reason for waits to fail fast. */
  readonly exitReason: () => string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

interface Leftovers {
  readonly children: Set<ChildProcess>;
  readonly dirs: Set<string>;
}

// Shared through globalThis so every copy of this module (the test runner may load it twice)
// registers into one set and one exit hook.
const slot = Symbol.for('lifeboat.devenv.leftovers');
const holder = globalThis as { [slot]?: Leftovers };
const leftovers = (holder[slot] ??= registerExitHook({ children: new Set(), dirs: new Set() }));

// A crashed, interrupted or force-exited run must leave neither servers nor temp dirs behind.
function registerExitHook(state: Leftovers): Leftovers {
  process.once('exit', () => {
    for (const child of state.children) child.kill('SIGKILL');
    for (const dir of state.dirs) rmSync(dir, { recursive: true, force: true });
  });
  return state;
}

/** Removes `dir` when the process exits, unless `release` says it was removed already. */
export function trackTempDir(dir: string): { release(): void } {
  leftovers.dirs.add(dir);
  return { release: () => leftovers.dirs.delete(dir) };
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { readonly dir: string; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string },
): ManagedProcess {
  const logFile = join(options.dir, `${name}.log`);
  // Output goes straight to a file descriptor, not through pipes: a pipe would keep the event loop
  // alive (with --test-isolation=none a test run only ends when it drains; `lifeboat dev` holds its
  // loop open itself).
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd ?? options.dir,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  child.unref();
  leftovers.children.add(child);
  let exited: string | undefined;
  const exit = once(child, 'exit').then(([code, signal]) => {
    leftovers.children.delete(child);
    exited = `${name} exited (code ${String(code)}, signal ${String(signal)}); see ${logFile}`;
  });
  child.on('error', (error) => {
    leftovers.children.delete(child);
    exited = `${name} failed to start: ${error.message}`;
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    exitReason: () => exited,
    async stop(graceMs = 10_000) {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      // This timer is referenced on purpose: it keeps the loop alive until the process is gone.
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
