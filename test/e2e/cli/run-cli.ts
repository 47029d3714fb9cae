// Runs the real `lifeboat` CLI as a child process, the way an operator does: its own HOME (so no
// docker config of the machine's user leaks in), no LIFEBOAT_* variables but the ones a test sets.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const NODE = join(repoRoot, 'node_modules/.bin/node');
export const MAIN = join(repoRoot, 'src/cli/main.ts');

/** This process's environment without LIFEBOAT_*, DOCKER_CONFIG and REGISTRY_AUTH_FILE, plus `extra`. */
export function cliEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('LIFEBOAT_') && key !== 'DOCKER_CONFIG' && key !== 'REGISTRY_AUTH_FILE',
    ),
  );
  return { ...inherited, ...extra };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed (empty by default). */
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Where stdout goes instead of a pipe, e.g. `/dev/full`. */
  readonly stdoutFd?: number;
}

export function lifeboat(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'lifeboat-cli-home-'));
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(NODE, [MAIN, ...args], {
      cwd: repoRoot,
      env: cliEnv({ HOME: home, ...options.env }),
      stdio: ['pipe', options.stdoutFd ?? 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(home, { recursive: true, force: true });
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin?.end(options.stdin ?? '');
  });
}
