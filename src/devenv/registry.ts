// Real registry servers for `lifeboat dev` and the tests: distribution (v3) with no auth, htpasswd or token auth, optionally
// behind TLS with a CA of its own; or go-containerregistry's registry as a second implementation.
// `lifeboat-token` delegates authentication to lifeboat's own token service (--private-images=isolated):
// the realm, service, issuer and trusted signer are the caller's (see token-service-pki.ts).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { readFileSync } from 'node:fs';
import { freePort } from './ports.ts';
import { startProcess, trackTempDir } from './process.ts';
import { createCa, issueCert } from './pki.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';

export type LocalRegistryAuth = 'none' | 'htpasswd' | 'token' | 'lifeboat-token';

/** distribution's `auth.token` pointed at lifeboat's token service. */
export interface LifeboatTokenAuth {
  /** `https://localhost:PORT/token`: lifeboat's `--token-addr` (go-containerregistry refuses IP-literal realms). */
  readonly realm: string;
  /** `--token-service`. */
  readonly service: string;
  /** `--token-issuer`. */
  readonly issuer: string;
  /** PEM file of the certificate(s) that sign the tokens (`--token-signing-secret`'s chain root). */
  readonly rootCertBundle: string;
}

export interface LocalRegistryOptions {
  readonly auth?: LocalRegistryAuth;
  readonly tls?: boolean;
  readonly impl?: 'distribution' | 'crane';
  /** Token auth: let requests without credentials pull (as Docker Hub does). */
  readonly anonymousPull?: boolean;
  /** Token auth: lifetime of issued tokens (distribution adds 60 s of leeway). */
  readonly tokenTtlSeconds?: number;
  /** `lifeboat-token` auth: where lifeboat's token service is and what it signs with. */
  readonly lifeboatToken?: LifeboatTokenAuth;
}

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, as written in image references. */
  readonly host: string;
  readonly url: string;
  readonly auth: LocalRegistryAuth;
  readonly impl: 'distribution' | 'crane';
  /** A user that may push and pull (htpasswd and token auth). */
  readonly username?: string;
  readonly password?: string;
  /** A user that may only pull (token auth; under htpasswd every user may push). */
  readonly readerUsername?: string;
  readonly readerPassword?: string;
  /** PEM file of the CA that signed the server certificate (TLS only). */
  readonly caFile?: string;
  readonly tokenRealm?: string;
  /** Tokens the token server issued so far (token auth only; 0 otherwise). */
  tokensIssued(): number;
  readonly dataDir: string;
  /**
   * distribution only: stops the registry process, keeps its storage, port and users, serves again
   * after `downMs` and resolves once it answers (an outage, for fault benchmarks).
   */
  stopFor?(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

// Fixed credentials, only ever valid for these throwaway loopback registries; the bcrypt hashes below were made from exactly these passwords.
// Cost 5, what `htpasswd -B` writes and so what distribution's deployment guide gives an operator:
// distribution checks the hash on every request (no session), and at cost 10 that was 61 ms of CPU
// per authenticated request here (1.3 ms without auth), which paced every benchmark of the copies.
const PUSH_USER = 'lifeboat';
const PUSH_PASSWORD = 'lifeboat-push-secret';
const PUSH_HASH = '$2a$05$BIcfJHGYy2ZG15X9zMlENeXAWNNMBB5bKcgO8Wg79SKAnKv21zJmK';
const READ_USER = 'reader';
const READ_PASSWORD = 'lifeboat-read-secret';
const READ_HASH = '$2a$05$0MnaObG63ROEIj972FvBAufOPYak6spQ8XNcYcBd7kDYtvuSw4flK';

const START_TIMEOUT_MS = 60_000;

export async function startRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const auth = options.auth ?? 'none';
  const impl = options.impl ?? 'distribution';
  if (impl === 'crane' && (auth !== 'none' || options.tls)) {
    throw new Error("the crane registry supports neither auth nor TLS: use impl 'distribution'");
  }
  const dir = mkdtempSync(join(tmpdir(), `lifeboat-registry-`));
  const tracked = trackTempDir(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let caFile: string | undefined;
  let tokenServer: TokenServer | undefined;
  let proc;
  let serveAgain: (() => ReturnType<typeof startProcess>) | undefined;
  try {
    if (impl === 'crane') {
      proc = startProcess(
        'crane-registry',
        toolPath('crane'),
        ['registry', 'serve', '--address', host, '--disk', dataDir],
        {
          dir,
        },
      );
    } else {
      const http: Record<string, unknown> = { addr: host, secret: randomBytes(16).toString('hex') };
      let server: { cert: string; key: string } | undefined;
      if (options.tls) {
        const ca = createCa(dir, 'registry-ca');
        server = issueCert(ca, dir, 'registry', {
          commonName: '127.0.0.1',
          ips: ['127.0.0.1'],
          dnsNames: ['localhost'],
          usage: 'server',
        });
        http.tls = { certificate: server.cert, key: server.key };
        caFile = ca.cert;
      }
      let authConfig: Record<string, unknown> | undefined;
      if (auth === 'htpasswd') {
        const file = join(dir, 'htpasswd');
        writeFileSync(file, `${PUSH_USER}:${PUSH_HASH}\n${READ_USER}:${READ_HASH}\n`);
        authConfig = { htpasswd: { realm: 'lifeboat-test', path: file } };
      } else if (auth === 'lifeboat-token') {
        const t = options.lifeboatToken;
        if (!t) throw new Error("auth 'lifeboat-token' needs the lifeboatToken option");
        authConfig = {
          token: { realm: t.realm, service: t.service, issuer: t.issuer, rootcertbundle: t.rootCertBundle },
        };
      } else if (auth === 'token') {
        const signer = createCa(dir, 'token-signer');
        tokenServer = await startTokenServer({
          issuer: 'lifeboat-test-issuer',
          service: 'lifeboat-test-registry',
          certFile: signer.cert,
          keyFile: signer.key,
          users: {
            [PUSH_USER]: { password: PUSH_PASSWORD, actions: ['pull', 'push', 'delete'] },
            [READ_USER]: { password: READ_PASSWORD, actions: ['pull'] },
          },
          anonymousActions: options.anonymousPull ? ['pull'] : undefined,
          ttlSeconds: options.tokenTtlSeconds ?? 300,
          ...(server ? { tls: { certFile: server.cert, keyFile: server.key } } : {}),
        });
        authConfig = {
          token: {
            realm: tokenServer.realm,
            service: 'lifeboat-test-registry',
            issuer: 'lifeboat-test-issuer',
            rootcertbundle: signer.cert,
          },
        };
      }
      const config = {
        version: 0.1,
        log: { level: 'warn', accesslog: { disabled: true } },
        storage: {
          filesystem: { rootdirectory: dataDir },
          delete: { enabled: true },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http,
        ...(authConfig ? { auth: authConfig } : {}),
      };
      // JSON is YAML: no YAML library needed to write the config.
      const configFile = join(dir, 'config.yml');
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      serveAgain = () =>
        startProcess('registry', toolPath('registry'), ['serve', configFile], {
          dir,
          env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
        });
      proc = serveAgain();
    }
    const url = `${options.tls ? 'https' : 'http'}://${host}`;
    const answering = async (started: ReturnType<typeof startProcess>): Promise<void> => {
      const dispatcher = new Agent(caFile ? { connect: { ca: readFileSync(caFile, 'utf8') } } : {});
      try {
        await waitFor(
          async () => {
            const res = await request(`${url}/v2/`, { dispatcher });
            await res.body.dump();
            return res.statusCode === 200 || res.statusCode === 401;
          },
          {
            what: `registry ${host} to answer /v2/`,
            timeoutMs: START_TIMEOUT_MS,
            abortReason: started.exitReason,
          },
        );
      } finally {
        await dispatcher.close();
      }
    };
    let running = proc;
    await answering(running);
    const withUsers = auth === 'htpasswd' || auth === 'token';
    const token = tokenServer;
    const again = serveAgain;
    return {
      host,
      url,
      auth,
      impl,
      ...(withUsers ? { username: PUSH_USER, password: PUSH_PASSWORD } : {}),
      ...(withUsers ? { readerUsername: READ_USER, readerPassword: READ_PASSWORD } : {}),
      ...(caFile ? { caFile } : {}),
      ...(token ? { tokenRealm: token.realm } : {}),
      ...(options.lifeboatToken ? { tokenRealm: options.lifeboatToken.realm } : {}),
      tokensIssued: () => token?.issued() ?? 0,
      dataDir,
      ...(again === undefined
        ? {}
        : {
            async stopFor(downMs: number) {
              await running.stop();
              await new Promise((resolve) => setTimeout(resolve, downMs));
              running = again();
              await answering(running);
            },
          }),
      async stop() {
        await running.stop();
        await token?.close();
        rmSync(dir, { recursive: true, force: true });
        tracked.release();
      },
    };
  } catch (error) {
    await proc?.stop();
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
    tracked.release();
    throw error;
  }
}
