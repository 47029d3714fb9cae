// lifeboat's API requests, read from the kube-apiserver's audit log (JSON lines, level Metadata, one
// event per request at ResponseComplete; the policy records lifeboat's ServiceAccount only), counted
// by `verb resource[/subresource]` within time windows (by when the apiserver received each request).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

interface AuditEvent {
  readonly verb: string;
  readonly stage?: string;
  readonly user: { readonly username: string };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string };
  readonly responseStatus?: { readonly code?: number };
  readonly requestReceivedTimestamp: string;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export interface Window {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface RequestCounts {
  readonly requests: number;
  readonly writes: number;
  /** `verb resource[/subresource]` → count, largest first. */
  readonly byVerbResource: Record<string, number>;
  /** Responses that were not 2xx, `verb resource code` → count (409 = lost a race, 404 = gone). */
  readonly failures: Record<string, number>;
}

export async function countRequests(
  logPath: string,
  username: string,
  windows: readonly Window[],
): Promise<Record<string, RequestCounts>> {
  const acc = new Map<
    string,
    { requests: number; writes: number; by: Map<string, number>; fail: Map<string, number> }
  >(windows.map((w) => [w.name, { requests: 0, writes: 0, by: new Map(), fail: new Map() }]));
  const lines = createInterface({ input: createReadStream(logPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.user.username !== username) continue;
    if (event.stage !== undefined && event.stage !== 'ResponseComplete') continue;
    const at = Date.parse(event.requestReceivedTimestamp);
    const ref = event.objectRef;
    const resource = ref?.resource
      ? ref.subresource
        ? `${ref.resource}/${ref.subresource}`
        : ref.resource
      : '(non-resource)';
    const key = `${event.verb} ${resource}`;
    const code = event.responseStatus?.code ?? 0;
    for (const w of windows) {
      if (at < w.from || at >= w.to) continue;
      const a = acc.get(w.name)!;
      a.requests++;
      if (WRITE_VERBS.has(event.verb)) a.writes++;
      a.by.set(key, (a.by.get(key) ?? 0) + 1);
      if (code < 200 || code >= 300) a.fail.set(`${key} ${code}`, (a.fail.get(`${key} ${code}`) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<string, number>): Record<string, number> =>
    Object.fromEntries([...m.entries()].sort((x, y) => y[1] - x[1]));
  return Object.fromEntries(
    [...acc.entries()].map(([name, a]) => [
      name,
      { requests: a.requests, writes: a.writes, byVerbResource: sorted(a.by), failures: sorted(a.fail) },
    ]),
  );
}
