// Runs one tool invocation as a child under GNU time (`/usr/bin/time`), which reports the child's own
// peak RSS and CPU from the kernel's rusage: the only reliable peak RSS for a process we do not control.
// Wall time is measured here around the child, so it includes process start, as a user would see it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
/** Output kept from a failing child, enough to see why it failed. */
const MAX_OUTPUT = 64 * 1024;

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface Measurement {
  readonly wallMs: number;
  /** Peak resident set of the child (the largest of several, for a loop), KiB. */
  readonly maxRssKb: number;
  readonly userS: number;
  readonly sysS: number;
  readonly stdout: string;
}

export async function timedRun(command: Command, scratchDir: string): Promise<Measurement> {
  const timeFile = join(scratchDir, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-o', timeFile, '-f', '%e %M %U %S', command.file, ...command.args], {
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    if (stdout.length < MAX_OUTPUT) stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < MAX_OUTPUT) stderr += s;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - started;
  try {
    if (code !== 0) {
      throw new Error(
        `${command.file} ${command.args.join(' ')} exited with ${String(code)}: ${stderr.trim().slice(-2000)}`,
      );
    }
    const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    const [, maxRssKb = NaN, userS = NaN, sysS = NaN] = fields;
    return { wallMs, maxRssKb, userS, sysS, stdout };
  } finally {
    rmSync(timeFile, { force: true });
  }
}

/** Several measurements of one logical run (a loop of invocations) as one: summed, peak of peaks. */
export function combine(runs: readonly Measurement[], wallMs: number): Measurement {
  return {
    wallMs,
    maxRssKb: Math.max(0, ...runs.map((r) => r.maxRssKb)),
    userS: runs.reduce((s, r) => s + r.userS, 0),
    sysS: runs.reduce((s, r) => s + r.sysS, 0),
    stdout: '',
  };
}
