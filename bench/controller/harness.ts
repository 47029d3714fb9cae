// What the controller benchmark's runs share (main.ts, chaos.ts): the log line, the run directory
// and its clean-up on success, failure or signal, and the bounded wait on the Deployment watch.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { trackTempDir } from '../../src/devenv/process.ts';
import type { DeploymentState, DeploymentWatch } from './deployment-watch.ts';
import { running } from './lifeboat.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const git = (...args: string[]): string =>
  execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' }).trim();
export const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
export const seconds = (ms: number): number => Math.round(ms) / 1000;
export const loadNow = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

/**
 * What every result file starts with: which benchmark, when, the commit of the harness and of
 * lifeboat's code (`src/` but `src/devenv`, and whether it had uncommitted changes), the command, and
 * the machine with its load at the start and now.
 */
export function resultHeader<B extends string>(benchmark: B, loadavgStart: number[]) {
  return {
    benchmark,
    date: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    lifeboatCommit: git('log', '-1', '--format=%h', '--', 'src', ':!src/devenv'),
    dirty: git('status', '--porcelain', '--', 'src', ':!src/devenv') !== '',
    command: `npm run bench:controller -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      nproc: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      loadavgStart,
      loadavgEnd: loadNow(),
    },
  };
}

export interface Run {
  readonly dir: string;
  /** Registers a stop; stops run once, in reverse order. */
  readonly onStop: (stop: () => Promise<void>) => void;
  cleanup(): Promise<void>;
  signalled(): boolean;
}

/** A run directory, removed with everything registered by `onStop` on success, failure or signal. */
export function startRun(): Run {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-controller-'));
  const tracked = trackTempDir(dir);
  const stops: (() => Promise<void>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          log(`clean-up: ${(error as Error).message}`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
      tracked.release();
    })());
  let signalled = false;
  const onSignal = (signal: string): void => {
    if (signalled) process.exit(130); // a second Ctrl-C: the exit hooks SIGKILL and remove what is left
    signalled = true;
    log(`${signal}: stopping every process and removing ${dir}`);
    setTimeout(() => process.exit(130), 60_000).unref();
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // src/devenv's own hook kills its servers; this one kills a lifeboat left running.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  return { dir, onStop: (stop) => stops.push(stop), cleanup, signalled: () => signalled };
}

/** Waits until `done` holds for every key, logging progress every 10 s; bounded by `timeoutMs`. */
export async function waitAll(
  run: Run,
  watch: DeploymentWatch,
  keys: readonly string[],
  done: (key: string, state: DeploymentState) => boolean,
  what: string,
  timeoutMs: number,
  abortReason: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextLog = Date.now() + 10_000;
  for (;;) {
    let count = 0;
    for (const key of keys) {
      const state = watch.states.get(key);
      if (state !== undefined && done(key, state)) count++;
    }
    if (count === keys.length) return;
    const reason = watch.failure() ?? abortReason();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms: ${what} (${count}/${keys.length})`);
    if (Date.now() >= nextLog) {
      log(`${what}: ${count}/${keys.length}`);
      nextLog += 10_000;
    }
    if (run.signalled()) throw new Error('interrupted');
    await sleep(200);
  }
}

/** The latest of `pick` over `keys` (NaN when any is unset). */
export const latest = (
  watch: DeploymentWatch,
  keys: readonly string[],
  pick: (s: DeploymentState) => number | undefined,
): number => Math.max(...keys.map((k) => pick(watch.states.get(k)!) ?? NaN));
