// The copiers under test, each as "copy these fixtures from SOURCE to TARGET" measured as child
// processes, each with its role in the report (lifeboat, a peer of the SPEC targets, the floor, or an
// extra row). Single-image cases are one invocation; the many-images case is one invocation per image
// for the CLIs (a loop, timed as a whole: it pays each tool's start-up once per image) plus one-process
// rows (lifeboat's engine with a shared scheduler, `skopeo sync`) to separate start-up from copying.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../../src/devenv/index.ts';
import type { EngineBatchPlan } from './engine-batch.ts';
import type { Fixture } from './fixtures.ts';
import { combine, timedRun, type Command, type Measurement } from './timed-run.ts';
import type { ToolEnv } from './tool-env.ts';
import type { TransferPlan } from './transfer-plan.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const NODE = join(repoRoot, 'node_modules/.bin/node');
/** The flags of the `lifeboat` bin's shebang (src/cli/main.ts): the CLI as shipped, not bare node. */
const LIFEBOAT_NODE_FLAGS = ['--max-semi-space-size=1'];
/** Blobs the raw copiers (curl floor, Node pass-through) move at once: every blob of (a) and (b). */
const RAW_PARALLEL = 16;
/** Images lifeboat's engine copies at once in the one-process row (its scheduler bounds blobs). */
const ENGINE_IMAGES_AT_ONCE = 8;

export type CaseId = 'big' | 'index' | 'small' | 'recopy';
const ALL_CASES: readonly CaseId[] = ['big', 'index', 'small', 'recopy'];

/**
 * How the report uses a row: `subject` is lifeboat, the SPEC §3 wall-time targets compare it with
 * every `peer`; the fastest `floor` row (raw copiers) is what "within 1.5× of the floor" divides by;
 * `extra` rows are shown only.
 */
export type Role = 'subject' | 'peer' | 'floor' | 'extra';

export interface RunContext {
  readonly caseId: CaseId;
  readonly fixtures: readonly Fixture[];
  readonly sourceHost: string;
  readonly targetHost: string;
  readonly tools: ToolEnv;
  readonly scratch: string;
  /** Extra node flags for lifeboat (e.g. --cpu-prof) in a profiling pass. */
  readonly nodeFlags?: readonly string[];
}

export interface Runner {
  readonly name: string;
  readonly role: Role;
  readonly cases: readonly CaseId[];
  run(ctx: RunContext): Promise<Measurement>;
}

/** Each fixture copied by its own invocation, one after another; wall time of the whole loop. */
function perImage(
  name: string,
  role: Role,
  cases: readonly CaseId[],
  command: (ctx: RunContext, f: Fixture) => Command,
): Runner {
  return {
    name,
    role,
    cases,
    async run(ctx) {
      const started = performance.now();
      const runs: Measurement[] = [];
      for (const fixture of ctx.fixtures) runs.push(await timedRun(command(ctx, fixture), ctx.scratch));
      return runs.length === 1 && runs[0] !== undefined
        ? runs[0]
        : combine(runs, performance.now() - started);
    },
  };
}

const ref = (host: string, f: Fixture): string => `${host}/${f.repo}:${f.tag}`;

export function lifeboatCommand(ctx: RunContext, args: readonly string[]): Command {
  return {
    file: NODE,
    args: [...LIFEBOAT_NODE_FLAGS, ...(ctx.nodeFlags ?? []), join(repoRoot, 'src/cli/main.ts'), ...args],
    env: ctx.tools.env,
  };
}

export const lifeboat = perImage('lifeboat', 'subject', ALL_CASES, (ctx, f) =>
  lifeboatCommand(ctx, [
    'copy',
    ref(ctx.sourceHost, f),
    ref(ctx.targetHost, f),
    '--insecure-registries',
    `${ctx.sourceHost},${ctx.targetHost}`,
  ]),
);

/**
 * `crane copy`, with its own `--jobs` default or with `jobs` (lifeboat copies 8 blobs at once by
 * default, crane GOMAXPROCS: 2 on a 2-core machine). The row's name says which.
 */
export function crane(jobs?: number): Runner {
  // crane's default is GOMAXPROCS: the CPUs the process may use, which availableParallelism also counts.
  const name =
    jobs === undefined
      ? `crane (default --jobs = GOMAXPROCS = ${availableParallelism()})`
      : `crane --jobs ${jobs}`;
  const extra = jobs === undefined ? [] : ['--jobs', String(jobs)];
  return perImage(name, 'peer', ALL_CASES, (ctx, f) => ({
    file: toolPath('crane'),
    args: ['copy', ref(ctx.sourceHost, f), ref(ctx.targetHost, f), '--insecure', ...extra],
    env: ctx.tools.env,
  }));
}

export const regctl = perImage('regctl', 'peer', ALL_CASES, (ctx, f) => ({
  file: toolPath('regctl'),
  args: ['image', 'copy', ref(ctx.sourceHost, f), ref(ctx.targetHost, f)],
  env: ctx.tools.env,
}));

export const skopeo = perImage('skopeo', 'peer', ALL_CASES, (ctx, f) => ({
  file: 'skopeo',
  args: [
    'copy',
    '--all',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--quiet',
    `docker://${ref(ctx.sourceHost, f)}`,
    `docker://${ref(ctx.targetHost, f)}`,
  ],
  env: ctx.tools.env,
}));

/** `skopeo sync` of every fixture from a YAML list in one process (images one after another). */
export const skopeoSync: Runner = {
  name: 'skopeo sync (1 process)',
  role: 'extra',
  cases: ['small'],
  run(ctx) {
    const images: Record<string, string[]> = {};
    for (const f of ctx.fixtures) images[f.repo] = [f.tag];
    const file = join(ctx.scratch, `sync-${Date.now()}.yaml`);
    // JSON is YAML.
    writeFileSync(file, JSON.stringify({ [ctx.sourceHost]: { 'tls-verify': false, images } }));
    return timedRun(
      {
        file: 'skopeo',
        args: [
          'sync',
          '--all',
          '--preserve-digests',
          '--src',
          'yaml',
          '--dest',
          'docker',
          '--dest-tls-verify=false',
          file,
          `${ctx.targetHost}/sync`,
        ],
        env: ctx.tools.env,
      },
      ctx.scratch,
    );
  },
};

/** Lifeboat's copy engine, every fixture in one process sharing one scheduler (see engine-batch.ts). */
export const lifeboatEngine: Runner = {
  name: 'lifeboat engine (1 process)',
  role: 'extra',
  cases: ['small', 'recopy'],
  run(ctx) {
    const plan: EngineBatchPlan = {
      source: ctx.sourceHost,
      target: ctx.targetHost,
      imagesAtOnce: ENGINE_IMAGES_AT_ONCE,
      copies: ctx.fixtures.map((f) => ({ sourceRepo: f.repo, tag: f.tag, targetRepo: f.repo })),
    };
    const file = join(ctx.scratch, `engine-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(plan));
    return timedRun(
      {
        file: NODE,
        args: [...LIFEBOAT_NODE_FLAGS, join(repoRoot, 'bench/copy/engine-batch.ts'), file],
        env: ctx.tools.env,
      },
      ctx.scratch,
    );
  },
};

/** A raw copier (see transfer-plan.ts): `command(ctx, planFile)` runs it on the fixtures' plan. */
function rawCopier(
  name: string,
  role: Role,
  command: (ctx: RunContext, planFile: string) => Command,
): Runner {
  return {
    name,
    role,
    cases: ['big', 'index', 'small'],
    run(ctx) {
      const plan: TransferPlan = {
        source: `http://${ctx.sourceHost}`,
        target: `http://${ctx.targetHost}`,
        parallel: RAW_PARALLEL,
        copies: ctx.fixtures.map((f) => ({
          sourceRepo: f.repo,
          targetRepo: f.repo,
          tag: f.tag,
          blobs: f.blobs,
          manifests: f.manifests.map((m) => ({
            digest: m.digest,
            mediaType: m.mediaType,
            base64: m.bytes.toString('base64'),
          })),
        })),
      };
      const file = join(ctx.scratch, `plan-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify(plan));
      return timedRun(command(ctx, file), ctx.scratch);
    },
  };
}

const nodeScript =
  (script: string) =>
  (ctx: RunContext, planFile: string): Command => ({
    file: NODE,
    args: [join(repoRoot, 'bench/copy', script), planFile],
    env: ctx.tools.env,
  });

/** A transfer floor: every blob once, 16 at a time, by curl processes (see curl-floor.ts). */
export const floor = rawCopier('floor (curl)', 'floor', nodeScript('curl-floor.ts'));

/**
 * A transfer floor in one Go process (see go-floor/main.go), built on first use into the scratch
 * directory (outside the timing) with the machine's Go: standard library only, nothing downloaded.
 */
export const goFloor = rawCopier('floor (Go, one process)', 'floor', (ctx, planFile) => {
  const binary = join(ctx.scratch, 'go-floor');
  if (!existsSync(binary)) {
    execFileSync('go', ['build', '-trimpath', '-o', binary, '.'], {
      cwd: join(repoRoot, 'bench/copy/go-floor'),
      env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return { file: binary, args: [planFile], env: ctx.tools.env };
});

/** The same transfers by undici in Node, no hashing (see passthrough.ts): not a floor. */
export const passthrough = rawCopier('Node pass-through (no hashing)', 'extra', nodeScript('passthrough.ts'));

/** Start-up cost of each tool: a command that does no network work. */
export function startupCommands(tools: ToolEnv): Record<string, Command> {
  const ctx = { tools } as RunContext;
  return {
    lifeboat: lifeboatCommand(ctx, ['version']),
    crane: { file: toolPath('crane'), args: ['version'], env: tools.env },
    regctl: { file: toolPath('regctl'), args: ['version'], env: tools.env },
    skopeo: { file: 'skopeo', args: ['--version'], env: tools.env },
    'node (empty script)': { file: NODE, args: ['-e', ''], env: tools.env },
  };
}
