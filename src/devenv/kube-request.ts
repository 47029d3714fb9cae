import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface KubeCredentials {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One admin API call with the client certificate: what the environment needs to bootstrap a
 * cluster (nodes, readiness checks) without going through lifeboat's own client, the code under test.
 */
export async function kubeRequest(
  credentials: KubeCredentials,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<KubeResponse> {
  const url = new URL(path, credentials.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: readFileSync(credentials.caFile),
        cert: readFileSync(credentials.certFile),
        key: readFileSync(credentials.keyFile),
        headers: {
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Health endpoints answer plain text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
