// A throwaway HOME for the peer tools: regctl is told the benchmark registries speak plain HTTP, and
// crane/skopeo find an empty docker config, so no user configuration leaks into a measurement.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** Hosts (`127.0.0.1:PORT`) written so far as plain-HTTP registries. */
  readonly hosts: ReadonlySet<string>;
  /** Adds hosts to the regctl config (each a `127.0.0.1:PORT` reached over plain HTTP). */
  allowHttp(hosts: readonly string[]): void;
  remove(): void;
}

export function createToolEnv(parentDir: string): ToolEnv {
  const home = mkdtempSync(join(parentDir, 'home-'));
  const dockerDir = join(home, '.docker');
  const regctlDir = join(home, '.regctl');
  mkdirSync(dockerDir);
  mkdirSync(regctlDir);
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: {} }));
  const hosts = new Set<string>();
  const write = (): void => {
    const config: Record<string, Record<string, string>> = {};
    for (const host of hosts) config[host] = { tls: 'disabled', hostname: host };
    writeFileSync(join(regctlDir, 'config.json'), JSON.stringify({ hosts: config }));
  };
  write();
  return {
    env: {
      PATH: process.env['PATH'],
      HOME: home,
      DOCKER_CONFIG: dockerDir,
      // skopeo keeps a blob-info cache under XDG dirs: keep it inside the throwaway HOME.
      XDG_RUNTIME_DIR: home,
      XDG_CONFIG_HOME: join(home, '.config'),
    },
    home,
    hosts,
    allowHttp(more) {
      for (const host of more) hosts.add(host);
      write();
    },
    remove() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
