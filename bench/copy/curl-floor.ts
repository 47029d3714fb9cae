// The transfer floor (SPEC §3): every blob read once from the source and written once to the target
// over raw HTTP by curl, no digest work, no HEADs, no retries, 16 blobs at a time, then every manifest
// (children first). A monolithic upload per blob: one curl process POSTs every upload at once and
// prints their Locations; then per blob `curl GET` → kernel pipe → `curl -T - PUT Location&digest=`
// with a Content-Length; then one curl process PUTs the manifests in order. The bytes never pass
// through Node: this process only starts the curls and waits for them, so the floor is what two C
// HTTP clients and a pipe cost, plus curl's start-up (~2 processes per blob), not Node's streams.
// Run as a child process under the same timing as the tools (GNU time counts the curls' CPU too:
// this process reaps them):
//   node bench/copy/curl-floor.ts PLAN.json
// where PLAN.json is a TransferPlan.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import * as transfers from './transfer-plan.ts';
import type { BlobJob, TransferPlan } from './transfer-plan.ts';

/** Fail on any HTTP error status, print nothing but errors. */
const QUIET = ['--silent', '--show-error', '--fail'];
/** Every PUT: no `Expect: 100-continue` (curl would wait for the 100 before sending the body). */
const PUT = ['-X', 'PUT', '-H', 'Expect:', '-o', '/dev/null'];

/** Resolves with the stdout of a curl process once it exits 0; rejects with its stderr otherwise. */
async function finished(child: ChildProcess, what: string): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`curl ${what} exited with ${String(code)}: ${err.trim()}`);
  return out;
}

const curl = (args: readonly string[], stdin: 'ignore' | Readable = 'ignore'): ChildProcess =>
  spawn('curl', [...QUIET, ...args], { stdio: [stdin, 'pipe', 'pipe'] });

/**
 * Opens one upload per blob with a single curl process (all POSTs at once) and returns the
 * Locations, one per job in order. Every upload of a repository is alike, so a repository's
 * Locations are handed out in the order they come back.
 */
async function openUploads(plan: TransferPlan, jobs: readonly BlobJob[]): Promise<URL[]> {
  const url = (repo: string): string => `${plan.target}/v2/${repo}/blobs/uploads/`;
  const child = curl([
    '--parallel',
    '--parallel-max',
    String(plan.parallel),
    '-X',
    'POST',
    '-w',
    '%{url_effective} %header{location}\\n',
    ...jobs.flatMap((j) => ['-o', '/dev/null', url(j.targetRepo)]),
  ]);
  const byUrl = new Map<string, URL[]>();
  for (const line of (await finished(child, 'POST uploads')).split('\n').filter((l) => l !== '')) {
    const [from = '', location = ''] = line.split(' ');
    if (location === '') throw new Error(`POST ${from}: no Location`);
    byUrl.set(from, [...(byUrl.get(from) ?? []), new URL(location, plan.target)]);
  }
  return jobs.map((j) => {
    const location = byUrl.get(url(j.targetRepo))?.shift();
    if (location === undefined) throw new Error(`no upload opened for ${j.targetRepo}`);
    return location;
  });
}

/** GET piped into a monolithic PUT, curl to curl through a kernel pipe. */
async function streamBlob(plan: TransferPlan, job: BlobJob, location: URL): Promise<void> {
  const put = new URL(location);
  put.searchParams.set('digest', job.digest);
  const get = curl([`${plan.source}/v2/${job.sourceRepo}/blobs/${job.digest}`]);
  if (get.stdout === null) throw new Error('curl GET has no stdout');
  // The PUT reads the GET's stdout pipe itself. The Content-Length replaces the chunked encoding
  // curl would use for a body on stdin (an empty Transfer-Encoding header removes it).
  const upload = curl(
    [...PUT, '-T', '-', '-H', 'Transfer-Encoding:', '-H', `Content-Length: ${job.size}`, put.href],
    get.stdout,
  );
  // Close this process's end of the pipe in the same tick, before the event loop could read from it:
  // every byte goes to the PUT.
  get.stdout.destroy();
  await Promise.all([finished(get, `GET ${job.digest}`), finished(upload, `PUT ${job.digest}`)]);
}

/** Every manifest by one curl process, in order (`--next` separates the requests). */
async function putManifests(plan: TransferPlan): Promise<void> {
  const puts = transfers.manifestPuts(plan).flat();
  const args = puts.flatMap((m, i) => {
    const body = m.bytes.toString('utf8');
    // The manifest goes on the command line: it must survive as text byte for byte.
    if (!Buffer.from(body, 'utf8').equals(m.bytes)) throw new Error('manifest is not UTF-8 text');
    return [
      ...(i === 0 ? [] : ['--next', ...QUIET]),
      ...PUT,
      '-H',
      `Content-Type: ${m.mediaType}`,
      '--data-binary',
      body,
      `${plan.target}/v2/${m.targetRepo}/manifests/${m.reference}`,
    ];
  });
  await finished(curl(args), 'PUT manifests');
}

const plan = transfers.readPlan('curl-floor.ts');
const jobs = transfers.blobJobs(plan);
const locations = await openUploads(plan, jobs);
await transfers.inPool(
  jobs.map((job, i) => ({ job, location: locations[i] as URL })),
  plan.parallel,
  ({ job, location }) => streamBlob(plan, job, location),
);
await putManifests(plan);
