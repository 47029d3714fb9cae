// What the client's manifest and blob calls share: the context the wiring gives them, the GET/HEAD
// they pull with, a HEAD's outcomes, and the one response header both read.
import { isDigest } from '../../reference/index.ts';
import { pullScope } from '../auth/scope.ts';
import { MANIFEST_MEDIA_TYPES } from '../manifest/index.ts';
import { releaseResponse } from '../transport/outcome.ts';
import type { SendRequest } from '../transport/transport.ts';
import { header, type WireResponse } from '../transport/wire.ts';

/** What a group of calls needs from the wiring in client.ts. */
export interface CallContext {
  /** The host as written in references; named in every error. */
  readonly registry: string;
  /** The transport: auth, retries and redirects already applied. */
  readonly send: (request: SendRequest) => Promise<WireResponse>;
  /** Throws the typed error of an unexpected answer (see transport/outcome.ts). */
  readonly fail: (res: WireResponse, req: SendRequest) => Promise<never>;
}

const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/**
 * A GET or HEAD of a manifest or blob: pull scope, redirects followed, the digest known when the
 * reference is one (a blob's always is), Accept listing every manifest type a copy understands.
 */
export function pullRequest(
  registry: string,
  method: 'GET' | 'HEAD',
  kind: 'manifests' | 'blobs',
  repository: string,
  reference: string,
  signal: AbortSignal | undefined,
): SendRequest {
  const verb = method === 'HEAD' ? 'checking' : 'fetching';
  const manifest = kind === 'manifests';
  return {
    method,
    url: `/v2/${repository}/${kind}/${reference}`,
    scopes: [pullScope(repository)],
    ...(manifest ? { headers: { accept: MANIFEST_ACCEPT } } : {}),
    followRedirects: true,
    signal,
    repository,
    digest: manifest ? (isDigest(reference) ? reference : undefined) : reference,
    action: manifest
      ? `${verb} manifest ${registry}/${repository}:${reference}`
      : `${verb} blob ${registry}/${repository}@${reference}`,
  };
}

/**
 * A HEAD of a manifest or blob: `undefined` on 404 (an answer, not an error), the typed error for
 * anything but 200, else the response, already released since only its headers tell anything.
 */
export async function pullHead(
  ctx: CallContext,
  kind: 'manifests' | 'blobs',
  repository: string,
  reference: string,
  signal: AbortSignal | undefined,
): Promise<WireResponse | undefined> {
  const req = pullRequest(ctx.registry, 'HEAD', kind, repository, reference, signal);
  const res = await ctx.send(req);
  if (res.status !== 200 && res.status !== 404) return ctx.fail(res, req);
  await releaseResponse(res);
  return res.status === 404 ? undefined : res;
}

/** The Content-Length a response announced, or undefined when it sent none (or nonsense). */
export function contentLength(res: WireResponse): number | undefined {
  const v = header(res.headers, 'content-length');
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
