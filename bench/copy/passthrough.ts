// The Node pass-through: every blob read once from the source and written once to the target with
// undici (streaming GET → POST + one monolithic PUT, no digest work, no HEADs, no retries), 16 at a
// time, then every manifest (children first). It is NOT a floor: it pays Node's streaming costs, and
// crane and regctl, which hash every byte, beat it. It shows what Node's transport alone costs; the
// floor is curl-floor.ts. Run as a child process under the same timing as the tools:
//   node bench/copy/passthrough.ts PLAN.json
// where PLAN.json is a TransferPlan.
import { Agent, request } from 'undici';
import * as transfers from './transfer-plan.ts';
import type { BlobJob, ManifestPut, TransferPlan } from './transfer-plan.ts';

async function copyBlob(plan: TransferPlan, dispatcher: Agent, job: BlobJob): Promise<void> {
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

async function putManifest(plan: TransferPlan, dispatcher: Agent, m: ManifestPut): Promise<void> {
  const res = await request(`${plan.target}/v2/${m.targetRepo}/manifests/${m.reference}`, {
    method: 'PUT',
    dispatcher,
    body: m.bytes,
    headers: { 'content-type': m.mediaType },
  });
  await res.body.dump();
  if (res.statusCode !== 201)
    throw new Error(`PUT manifest ${m.targetRepo}:${m.reference}: ${res.statusCode}`);
}

const plan = transfers.readPlan('passthrough.ts');
const dispatcher = new Agent({ connections: plan.parallel * 2 });
await transfers.inPool(transfers.blobJobs(plan), plan.parallel, (job) => copyBlob(plan, dispatcher, job));
await Promise.all(
  transfers.manifestPuts(plan).map(async (puts) => {
    for (const m of puts) await putManifest(plan, dispatcher, m);
  }),
);
await dispatcher.close();
