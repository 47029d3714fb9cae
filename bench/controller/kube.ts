// The benchmark's own Kubernetes client: admin (client certificate) calls and a streaming watch over
// one keep-alive agent. It never goes through lifeboat's client (the code under test), and the
// apiserver's audit policy records only lifeboat's ServiceAccount, so none of this is counted.
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export interface AdminClient {
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    timeoutMs?: number,
  ): Promise<KubeResponse<T>>;
  /** Like `call`, but fails unless the status is one of `ok`. */
  must<T = unknown>(method: string, path: string, body?: unknown, ok?: readonly number[]): Promise<T>;
  /** Opens a watch; `onLine` gets each event with the time its line arrived. */
  watchStream(
    path: string,
    onEvent: (event: WatchEvent, at: number) => void,
    signal: AbortSignal,
  ): Promise<void>;
  close(): void;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: { metadata?: { resourceVersion?: string }; code?: number } & Record<string, unknown>;
}

interface KubeconfigFile {
  clusters: { cluster: { server: string; 'certificate-authority': string } }[];
  users: { user: { 'client-certificate': string; 'client-key': string } }[];
}

export function createAdminClient(kubeconfigPath: string): AdminClient {
  const config = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const cluster = config.clusters[0]!.cluster;
  const user = config.users[0]!.user;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 64,
    ca: readFileSync(cluster['certificate-authority']),
    cert: readFileSync(user['client-certificate']),
    key: readFileSync(user['client-key']),
  });
  const server = cluster.server;

  const open = (
    method: string,
    path: string,
    payload: string | undefined,
    contentType: string,
    signal: AbortSignal,
  ): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, server),
        {
          method,
          agent,
          signal,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': contentType } : {}),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });

  const call: AdminClient['call'] = async <T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    timeoutMs = 60_000,
  ) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await open(method, path, payload, contentType, AbortSignal.timeout(timeoutMs));
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Health endpoints answer plain text.
    }
    return { status: res.statusCode ?? 0, body: parsed as T };
  };

  return {
    call,
    async must<T>(method: string, path: string, body?: unknown, ok: readonly number[] = [200, 201]) {
      const contentType = method === 'PATCH' ? 'application/strategic-merge-patch+json' : 'application/json';
      const res = await call<T>(method, path, body, contentType);
      if (!ok.includes(res.status)) {
        throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
      }
      return res.body;
    },
    async watchStream(path, onEvent, signal) {
      const res = await open('GET', path, undefined, 'application/json', signal);
      if (res.statusCode !== 200) {
        res.resume();
        throw new Error(`watch ${path}: HTTP ${res.statusCode}`);
      }
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          if (line === '') continue;
          onEvent(JSON.parse(line) as WatchEvent, Date.now());
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    },
    close: () => agent.destroy(),
  };
}
