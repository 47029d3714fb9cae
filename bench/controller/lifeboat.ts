// `lifeboat run` as a child process, as an operator's container runs it: the repository's Node 24
// running src/cli/main.ts with the node flags of main.ts's shebang (the Dockerfile's ENTRYPOINT gives
// the same), its own HOME, no LIFEBOAT_* variables. Its output goes to a file, and its CPU and peak
// memory are read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryCgroup } from './memory-cgroup.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(repoRoot, 'node_modules/.bin/node');
const MAIN = join(repoRoot, 'src/cli/main.ts');
/**
 * The node flags main.ts's shebang line gives (`#!/usr/bin/env -S node --flag …`): node's young
 * generation is part of the RSS this benchmark reports, so lifeboat runs here as it ships.
 */
export function shebangNodeFlags(firstLine: string): string[] {
  const words = firstLine
    .replace(/^#!\S*env -S /, '')
    .trim()
    .split(/\s+/);
  if (words[0] !== 'node') throw new Error(`main.ts's first line does not run node: ${firstLine}`);
  return words.slice(1);
}
const NODE_FLAGS = shebangNodeFlags(readFileSync(MAIN, 'utf8').split('\n', 1)[0]!);
/** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

export interface Lifeboat {
  readonly pid: number;
  readonly logFile: string;
  /** utime + stime so far, in seconds. */
  cpuSeconds(): number;
  /** VmHWM (peak resident set) so far, in bytes. */
  peakRssBytes(): number;
  /** Set once it has exited. */
  readonly exitReason: () => string | undefined;
  /** SIGTERM (a graceful drain, which also writes a --cpu-prof profile), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL (a crash: no drain, the Lease not released); resolves once it has exited. */
  kill(): Promise<void>;
}

/** Every lifeboat started and not yet stopped, for the benchmark's exit hook. */
export const running = new Set<ChildProcess>();

export function startLifeboat(
  args: readonly string[],
  dir: string,
  options: { readonly cpuProfDir?: string; readonly memoryCgroup?: MemoryCgroup } = {},
): Lifeboat {
  const home = join(dir, 'lifeboat-home');
  mkdirSync(home, { recursive: true });
  const logFile = join(dir, 'lifeboat.log');
  const log = openSync(logFile, 'a');
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('LIFEBOAT_') && key !== 'DOCKER_CONFIG' && key !== 'REGISTRY_AUTH_FILE',
    ),
  );
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const nodeFlags = [...NODE_FLAGS, ...profile];
  let child: ChildProcess;
  try {
    const command = [NODE, ...nodeFlags, MAIN, ...args];
    const { file, args: argv } = options.memoryCgroup?.spawnArgs(command) ?? {
      file: NODE,
      args: command.slice(1),
    };
    child = spawn(file, argv, {
      cwd: repoRoot,
      env: { ...env, HOME: home },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  running.add(child);
  let exited: string | undefined;
  const exit = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    exited = `lifeboat exited (code ${String(code)}, signal ${String(signal)}); see ${logFile}`;
  });
  const pid = child.pid ?? -1;
  let lastCpu = 0;
  let lastHwm = 0;
  return {
    pid,
    logFile,
    cpuSeconds() {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        lastCpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      } catch {
        // Gone: the last reading stands.
      }
      return lastCpu;
    },
    peakRssBytes() {
      try {
        const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (match) lastHwm = Number(match[1]) * 1024;
      } catch {
        // Gone: the last reading stands.
      }
      return lastHwm;
    },
    exitReason: () => exited,
    async stop(graceMs = 30_000) {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
    async kill() {
      if (exited !== undefined) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}
