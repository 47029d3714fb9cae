// The image without a container engine: the production tree the Dockerfile builds (its final
// stage's COPY sources, minus what .dockerignore leaves out, plus `npm ci` with the Dockerfile's
// flags) is built in a temp dir and the CLI runs from it with Node 24. `lifeboat version` and
// `lifeboat run --help` load every command module, so a run-time import of a dev dependency
// (typescript, eslint, ...) or of test code fails here, as it would crash the container.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { cliEnv, NODE, repoRoot } from '../cli/run-cli.ts';

const run = promisify(execFile);

/** `COPY a b ./dest` lines of the last stage that copy from the build context (not `--from`). */
function contextCopies(dockerfile: string): string[] {
  const lastStage = dockerfile.split(/^FROM\s/m).at(-1) ?? '';
  return [...lastStage.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
    m[1]!.trim().split(/\s+/).slice(0, -1),
  );
}

/** The `npm ci ...` arguments of the Dockerfile's RUN line. */
function npmCiArgs(dockerfile: string): string[] {
  const line = /^RUN\s+npm ci\s+([^&\n]*)/m.exec(dockerfile);
  assert.ok(line, 'the Dockerfile runs npm ci');
  return line[1]!.trim().split(/\s+/);
}

/** .dockerignore exclusions (`*` and `!` re-inclusions aside) as path tests. */
function ignored(dockerignore: string): (path: string) => boolean {
  const patterns = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!') && l !== '*')
    .map((glob) => {
      const source = glob
        .split('**/')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*'))
        .join('(?:.*/)?');
      return new RegExp(`^${source}$`);
    });
  return (path) => patterns.some((p) => p.test(path));
}

describe('the production tree the Dockerfile builds', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const excluded = ignored(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-production-tree-'));
  const app = join(dir, 'app');
  const lifeboat = (args: string[]) => run(NODE, ['src/cli/main.ts', ...args], { cwd: app, env: cliEnv() });

  before(async () => {
    const sources = contextCopies(dockerfile);
    assert.deepEqual([...sources].sort(), ['package-lock.json', 'package.json', 'src']);
    mkdirSync(app);
    for (const source of sources) {
      cpSync(join(repoRoot, source), join(app, source), {
        recursive: true,
        filter: (from) => !excluded(relative(repoRoot, from)),
      });
    }
    const args = npmCiArgs(dockerfile);
    assert.ok(args.includes('--omit=dev'), 'the image installs production dependencies only');
    // The machine's npm, as the Dockerfile's stage runs the image's; quiet: the output is noise here.
    await run('npm', ['ci', ...args, '--loglevel=error'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds no test code and no dev-only package, with nothing above it to resolve from', () => {
    assert.ok(existsSync(join(app, 'src/cli/main.ts')));
    assert.equal(existsSync(join(app, 'src/cli/config/config.test.ts')), false, 'test files are left out');
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev);
    assert.ok(devOnly.some(([path]) => path === 'node_modules/typescript'));
    for (const [path] of devOnly) assert.equal(existsSync(join(app, path)), false, `${path} installed`);
    // Node resolves bare imports in every ancestor's node_modules: none may exist above the tree.
    for (let d = dir; d !== dirname(d); d = dirname(d)) {
      assert.equal(
        existsSync(join(d, 'node_modules')),
        false,
        `${d}/node_modules would mask a missing dependency`,
      );
    }
  });

  it('runs `lifeboat version` with Node 24', async () => {
    const { stdout } = await lifeboat(['version']);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.match(stdout, new RegExp(`^lifeboat ${pkg.version.replaceAll('.', '\\.')} \\(node v24\\.`));
  });

  it('runs `lifeboat run --help`', async () => {
    const { stdout } = await lifeboat(['run', '--help']);
    assert.match(stdout, /--backup-registry/);
    assert.match(stdout, /--leader-elect/);
  });
});
