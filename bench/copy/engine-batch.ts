// Lifeboat's copy engine copying many images in ONE process with one shared scheduler, as the
// controller will: the CLI copies one image per process, so a loop of CLI calls pays Node's start-up
// once per image. Run as a child process under the same timing as the tools:
//   node --max-semi-space-size=1 bench/copy/engine-batch.ts PLAN.json
// Prints one JSON line: { loadMs, totalMs, copyMs: [...], failures: [...] } (loadMs: process start →
// engine loaded). A copy that fails is retried once after the others (its first error is reported in
// `failures`), so one engine bug shows up in the report instead of ending the whole benchmark.
import { readFileSync } from 'node:fs';

export interface EngineBatchPlan {
  readonly source: string;
  readonly target: string;
  /** Images copied at once; the shared scheduler bounds blob transfers across all of them. */
  readonly imagesAtOnce: number;
  readonly copies: readonly {
    readonly sourceRepo: string;
    readonly tag: string;
    readonly targetRepo: string;
  }[];
}

async function main(): Promise<void> {
  const planFile = process.argv[2];
  if (planFile === undefined) throw new Error('usage: engine-batch.ts PLAN.json');
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EngineBatchPlan;
  const { copyImage, createCopyScheduler, createRegistryClient } =
    await import('../../src/registry/index.ts');
  const loadMs = performance.now();
  const source = createRegistryClient({ host: plan.source, insecure: true });
  const target = createRegistryClient({ host: plan.target, insecure: true });
  const scheduler = createCopyScheduler();
  const copyMs: number[] = new Array<number>(plan.copies.length);
  const failures: { repo: string; code: string; message: string }[] = [];
  const failed: number[] = [];
  const copy = async (i: number): Promise<void> => {
    const c = plan.copies[i];
    if (c === undefined) return;
    const t0 = performance.now();
    await copyImage({
      source: { client: source, repository: c.sourceRepo, reference: c.tag },
      target: { client: target, repository: c.targetRepo, reference: c.tag },
      scheduler,
    });
    copyMs[i] = performance.now() - t0;
  };
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.copies.length) {
      const i = next++;
      try {
        await copy(i);
      } catch (error) {
        const e = error as Error & { code?: string };
        failures.push({
          repo: plan.copies[i]?.targetRepo ?? '?',
          code: e.code ?? 'unknown',
          message: e.message,
        });
        failed.push(i);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.imagesAtOnce }, worker));
  for (const i of failed) await copy(i);
  const totalMs = performance.now() - started;
  await Promise.all([source.close(), target.close()]);
  process.stdout.write(`${JSON.stringify({ loadMs, totalMs, copyMs, failures })}\n`);
}

await main();
