// Where lifeboat's fixed cost per process goes: the wall time and RSS of a Node process that only
// imports one module (each dependency the copy command loads, then the whole registry module), as
// medians of several runs. Complements the copy benchmark, whose small cases are dominated by it.
//   node bench/copy/load-time.ts [--runs 7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './report.ts';
import { timedRun } from './timed-run.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const NODE = join(repoRoot, 'node_modules/.bin/node');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);

// Each entry: a label and the module code run with the compile cache on, as src/cli/main.ts does.
const subjects: Record<string, string> = {
  'node, nothing imported': '',
  commander: "await import('commander');",
  undici: "await import('undici');",
  pino: "await import('pino');",
  zod: "await import('zod');",
  'prom-client': "await import('prom-client');",
  'src/registry/index.ts (copy engine + client)': `await import(${JSON.stringify(join(repoRoot, 'src/registry/index.ts'))});`,
};

const scratch = mkdtempSync(join(tmpdir(), 'lifeboat-load-'));
try {
  process.stdout.write('| module | wall ms (median) | peak RSS MiB |\n|---|---:|---:|\n');
  for (const [label, code] of Object.entries(subjects)) {
    const script = `import { enableCompileCache } from 'node:module'; enableCompileCache(); ${code}`;
    const command = {
      file: NODE,
      args: ['--max-semi-space-size=1', '--input-type=module', '-e', script],
      env: { PATH: process.env['PATH'] },
    };
    await timedRun(command, scratch); // fills the compile cache
    const ms: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const m = await timedRun(command, scratch);
      ms.push(m.wallMs);
      rss.push(m.maxRssKb);
    }
    process.stdout.write(`| ${label} | ${median(ms).toFixed(0)} | ${(median(rss) / 1024).toFixed(0)} |\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
