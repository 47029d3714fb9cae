// A distribution registry whose storage outlives its process, for garbage-collection tests: serve,
// stop, run `registry garbage-collect` on the same storage (offline, as distribution requires), and
// serve it again. startRegistry (src/devenv) removes its storage on stop, so it cannot do this.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { freePort, toolPath, waitFor, type LocalRegistry } from '../../../src/devenv/index.ts';
import { startProcess, trackTempDir, type ManagedProcess } from '../../../src/devenv/process.ts';

export interface GcRegistry {
  /** The registry as served now (its host changes with each `serve`). */
  current(): LocalRegistry;
  /** Stops the registry (its storage stays). */
  stop(): Promise<void>;
  /** Serves the storage again, on a new port. */
  serve(): Promise<LocalRegistry>;
  /** distribution's `registry garbage-collect [--delete-untagged]`; the registry must be stopped. */
  garbageCollect(options: { readonly deleteUntagged: boolean }): Promise<string>;
  /** Stops the registry and removes its storage. */
  close(): Promise<void>;
}

export async function startGcRegistry(): Promise<GcRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-gc-registry-'));
  const tracked = trackTempDir(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  let proc: ManagedProcess | undefined;
  let served: LocalRegistry | undefined;
  const configFor = (host: string): string => {
    const config = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: { addr: host },
    };
    // JSON is YAML.
    const file = join(dir, 'config.yml');
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  };
  const stop = async (): Promise<void> => {
    await proc?.stop();
    proc = undefined;
    served = undefined;
  };
  const serve = async (): Promise<LocalRegistry> => {
    if (proc !== undefined) throw new Error('the registry is already served');
    const host = `127.0.0.1:${await freePort()}`;
    const running = startProcess('registry', toolPath('registry'), ['serve', configFor(host)], {
      dir,
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
    });
    proc = running;
    const url = `http://${host}`;
    await waitFor(
      async () => {
        const res = await request(`${url}/v2/`);
        await res.body.dump();
        return res.statusCode === 200;
      },
      { what: `registry ${host} to answer /v2/`, timeoutMs: 60_000, abortReason: running.exitReason },
    );
    served = {
      host,
      url,
      auth: 'none',
      impl: 'distribution',
      tokensIssued: () => 0,
      dataDir,
      stop,
    };
    return served;
  };
  await serve();
  return {
    current() {
      if (served === undefined) throw new Error('the registry is stopped');
      return served;
    },
    stop,
    serve,
    async garbageCollect({ deleteUntagged }) {
      if (proc !== undefined) throw new Error('stop the registry before its garbage collection');
      const args = [
        'garbage-collect',
        ...(deleteUntagged ? ['--delete-untagged'] : []),
        configFor('127.0.0.1:0'),
      ];
      const { stdout, stderr } = await promisify(execFile)(toolPath('registry'), args, {
        env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout + stderr;
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      tracked.release();
    },
  };
}
