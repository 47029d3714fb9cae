// The transfer floor: every blob read once from the source and written once to the target with raw
// HTTP (streaming GET → POST + one monolithic PUT, no digest work, no HEADs, no retries), 16 at a time,
// then every manifest (children first). Run as a child process under the same timing as the tools:
//   node bench/copy/floor.ts PLAN.json
// where PLAN.json is a FloorPlan. Nothing a real copier could skip is skipped, and nothing is checked.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

export interface FloorPlan {
  readonly source: string;
  readonly target: string;
  readonly parallel: number;
  readonly copies: readonly {
    readonly sourceRepo: string;
    readonly targetRepo: string;
    readonly tag: string;
    readonly blobs: readonly { readonly digest: string; readonly size: number }[];
    /** Children first; the last one is pushed by `tag`, the others by digest. */
    readonly manifests: readonly {
      readonly digest: string;
      readonly mediaType: string;
      readonly base64: string;
    }[];
  }[];
}

async function copyBlob(
  plan: FloorPlan,
  dispatcher: Agent,
  job: { sourceRepo: string; targetRepo: string; digest: string; size: number },
): Promise<void> {
  const get = await request(`${plan.source}/v2/${job.sourceRepo}/blobs/${job.digest}`, { dispatcher });
  if (get.statusCode !== 200) throw new Error(`GET blob ${job.digest}: ${get.statusCode}`);
  const post = await request(`${plan.target}/v2/${job.targetRepo}/blobs/uploads/`, {
    method: 'POST',
    dispatcher,
  });
  await post.body.dump();
  const location = post.headers['location'];
  if (post.statusCode !== 202 || typeof location !== 'string')
    throw new Error(`POST upload: ${post.statusCode}`);
  const url = new URL(location, plan.target);
  url.searchParams.set('digest', job.digest);
  const put = await request(url, {
    method: 'PUT',
    dispatcher,
    body: get.body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(job.size) },
  });
  await put.body.dump();
  if (put.statusCode !== 201) throw new Error(`PUT blob ${job.digest}: ${put.statusCode}`);
}

async function main(): Promise<void> {
  const planFile = process.argv[2];
  if (planFile === undefined) throw new Error('usage: floor.ts PLAN.json');
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as FloorPlan;
  const dispatcher = new Agent({ connections: plan.parallel * 2 });
  const jobs = plan.copies.flatMap((c) =>
    c.blobs.map((b) => ({ sourceRepo: c.sourceRepo, targetRepo: c.targetRepo, ...b })),
  );
  jobs.sort((a, b) => b.size - a.size);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job !== undefined) await copyBlob(plan, dispatcher, job);
    }
  };
  await Promise.all(Array.from({ length: plan.parallel }, worker));
  await Promise.all(
    plan.copies.map(async (c) => {
      for (const [i, m] of c.manifests.entries()) {
        const reference = i === c.manifests.length - 1 ? c.tag : m.digest;
        const res = await request(`${plan.target}/v2/${c.targetRepo}/manifests/${reference}`, {
          method: 'PUT',
          dispatcher,
          body: Buffer.from(m.base64, 'base64'),
          headers: { 'content-type': m.mediaType },
        });
        await res.body.dump();
        if (res.statusCode !== 201)
          throw new Error(`PUT manifest ${c.targetRepo}:${reference}: ${res.statusCode}`);
      }
    }),
  );
  await dispatcher.close();
}

await main();
