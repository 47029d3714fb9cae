// A token-auth backup registry (distribution, as backup-env.ts's) whose storage outlives its
// process, for the disaster drill: served, stopped, garbage-collected offline with distribution's own
// `registry garbage-collect [--delete-untagged]` (the way test/e2e/registry/gc-registry.ts does it),
// and served again on the SAME host:port, so the images workloads were rewritten to keep their
// names. The token server stays up throughout; users and passwords are made here, per registry.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import {
  freePort,
  startTokenServer,
  toolPath,
  waitFor,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import { createCa } from '../../../src/devenv/pki.ts';
import { startProcess, trackTempDir, type ManagedProcess } from '../../../src/devenv/process.ts';

export interface GcBackupRegistry {
  /** The registry (its host never changes); `stop()` ends the process and the token server and removes the storage. */
  readonly registry: LocalRegistry;
  /** Stops serving; the storage stays. */
  pause(): Promise<void>;
  /** Serves the storage again on the same host:port. */
  resume(): Promise<void>;
  /** `registry garbage-collect [--delete-untagged] CONFIG` on the storage; the registry must be paused. Its output. */
  garbageCollect(options: { readonly deleteUntagged: boolean }): Promise<string>;
}

const SERVICE = 'lifeboat-drill-registry';
const ISSUER = 'lifeboat-drill-issuer';
const toolEnv = { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' };

export async function startGcBackupRegistry(): Promise<GcBackupRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-gc-backup-'));
  const tracked = trackTempDir(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const host = `127.0.0.1:${await freePort()}`;
  const url = `http://${host}`;
  const users = {
    pusher: { password: randomBytes(12).toString('hex'), actions: ['pull', 'push', 'delete'] },
    reader: { password: randomBytes(12).toString('hex'), actions: ['pull'] },
  };
  const signer = createCa(dir, 'token-signer');
  const token = await startTokenServer({
    issuer: ISSUER,
    service: SERVICE,
    certFile: signer.cert,
    keyFile: signer.key,
    users,
    ttlSeconds: 300,
  });
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
    auth: { token: { realm: token.realm, service: SERVICE, issuer: ISSUER, rootcertbundle: signer.cert } },
  };
  // JSON is YAML.
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  let proc: ManagedProcess | undefined;
  const pause = async (): Promise<void> => {
    await proc?.stop();
    proc = undefined;
  };
  const resume = async (): Promise<void> => {
    if (proc !== undefined) throw new Error('the registry is already served');
    const running = startProcess('registry', toolPath('registry'), ['serve', configFile], {
      dir,
      env: toolEnv,
    });
    proc = running;
    await waitFor(
      async () => {
        const res = await request(`${url}/v2/`);
        await res.body.dump();
        return res.statusCode === 401;
      },
      { what: `registry ${host} to answer /v2/`, timeoutMs: 60_000, abortReason: running.exitReason },
    );
  };
  const close = async (): Promise<void> => {
    await pause();
    await token.close();
    rmSync(dir, { recursive: true, force: true });
    tracked.release();
  };
  try {
    await resume();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    registry: {
      host,
      url,
      auth: 'token',
      impl: 'distribution',
      username: 'pusher',
      password: users.pusher.password,
      readerUsername: 'reader',
      readerPassword: users.reader.password,
      tokenRealm: token.realm,
      tokensIssued: () => token.issued(),
      dataDir,
      stop: close,
    },
    pause,
    resume,
    async garbageCollect({ deleteUntagged }) {
      if (proc !== undefined) throw new Error('pause the registry before its garbage collection');
      const args = ['garbage-collect', ...(deleteUntagged ? ['--delete-untagged'] : []), configFile];
      const { stdout, stderr } = await promisify(execFile)(toolPath('registry'), args, {
        env: toolEnv,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout + stderr;
    },
  };
}
