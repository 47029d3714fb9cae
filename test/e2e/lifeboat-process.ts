// `lifeboat run` as a child process, the way an operator (or a Deployment) runs it: JSON logs on
// stdout are parsed line by line so tests wait for what the process says, and signals stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../../src/devenv/index.ts';
import { cliEnv, MAIN, NODE } from './cli/run-cli.ts';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface LifeboatProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** stderr, for failure messages. */
  stderr(): string;
  /** `host:port` of /healthz, /readyz and /metrics (from the start-up log line). */
  address(): Promise<string>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts `lifeboat <command> ...args` (default `run`) with its own HOME and no LIFEBOAT_* variables. */
export function startLifeboat(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): LifeboatProcess {
  const home = mkdtempSync(join(tmpdir(), 'lifeboat-run-home-'));
  const child = spawn(NODE, [MAIN, ...args], {
    env: cliEnv({ HOME: home, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ level: 0, msg: line });
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(home, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const waitForLog = async (
    predicate: (line: LogLine) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<LogLine> => {
    await waitFor(() => logs.some(predicate) || child.exitCode !== null, { what, timeoutMs });
    const line = logs.find(predicate);
    if (!line) throw new Error(`lifeboat exited (${child.exitCode}) before ${what}; stderr: ${stderr}`);
    return line;
  };
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog,
    async address() {
      const line = await waitForLog((l) => l.msg === 'lifeboat run started', 'the start-up line');
      return String(line.address);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
