// One pooled undici Agent per registry client: bounded connections, no pipelining (registries and the
// proxies in front of them handle it badly, and a slow blob would block the requests behind it), and
// every timeout set explicitly rather than inheriting undici's 300 s defaults.
import { getCACertificates } from 'node:tls';
import { Agent } from 'undici';

export interface AgentOptions {
  /** Most sockets open to one origin at once. */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** Time to the response headers (undici refreshes it while an upload body is being written). */
  readonly headersTimeoutMs: number;
  /** Longest silence between two body chunks. */
  readonly bodyTimeoutMs: number;
  /** Extra CA certificates (PEM) trusted on top of the system and bundled ones (`--registry-ca`). */
  readonly caPems: readonly string[];
}

/** Node's bundled roots plus the OS trust store plus the operator's extra CAs, without duplicates. */
export function trustedCas(extra: readonly string[]): string[] {
  const all = new Set<string>(getCACertificates('default'));
  try {
    for (const pem of getCACertificates('system')) all.add(pem);
  } catch {
    // No readable system store on this platform: the bundled roots still apply.
  }
  for (const pem of extra) all.add(pem);
  return [...all];
}

export function createRegistryAgent(options: AgentOptions): Agent {
  return new Agent({
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connect: {
      timeout: options.connectTimeoutMs,
      // Only replace the trust store when asked to: building it costs a few ms per agent.
      ...(options.caPems.length > 0 ? { ca: trustedCas(options.caPems) } : {}),
    },
  });
}
