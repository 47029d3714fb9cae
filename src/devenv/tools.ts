import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRegistry } from './registry.ts';

// src/devenv/tools.ts → the repository root, where tools/build.sh sits.
const repoRoot = new URL('../../', import.meta.url).pathname;
let binDir: string | undefined;

/** The directory of the pinned binaries (tools/build.sh); builds them first when the cache is cold. */
export function toolsBin(): string {
  binDir ??= execFileSync('bash', [join(repoRoot, 'tools/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1);
  if (!binDir) throw new Error('tools/build.sh printed no bin directory');
  return binDir;
}

export function toolPath(name: string): string {
  return join(toolsBin(), name);
}

export interface ToolRun {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs crane or regctl with credentials and CAs for `registries` in a throwaway config, so neither
 * tests nor `lifeboat dev` depend on (or touch) the user's own docker or regctl configuration.
 */
export async function runTool(
  name: string,
  args: readonly string[],
  options: { readonly registries?: readonly LocalRegistry[]; readonly stdin?: string | Buffer } = {},
): Promise<ToolRun> {
  const home = mkdtempSync(join(tmpdir(), 'lifeboat-tool-'));
  try {
    const env = toolEnv(home, options.registries ?? []);
    return await new Promise<ToolRun>((resolve, reject) => {
      const child = execFile(
        toolPath(name),
        args,
        { env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${name} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
          else resolve({ stdout, stderr });
        },
      );
      if (options.stdin !== undefined) child.stdin?.end(options.stdin);
      else child.stdin?.end();
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function toolEnv(home: string, registries: readonly LocalRegistry[]): NodeJS.ProcessEnv {
  const auths: Record<string, { auth: string }> = {};
  const hosts: Record<string, Record<string, string>> = {};
  const cas: string[] = [];
  for (const registry of registries) {
    if (registry.username !== undefined && registry.password !== undefined) {
      auths[registry.host] = {
        auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64'),
      };
    }
    const host: Record<string, string> = {
      tls: registry.url.startsWith('https:') ? 'enabled' : 'disabled',
      hostname: registry.host,
    };
    if (registry.username !== undefined && registry.password !== undefined) {
      host.user = registry.username;
      host.pass = registry.password;
    }
    if (registry.caFile) {
      const ca = readFileSync(registry.caFile, 'utf8');
      host.regcert = ca;
      cas.push(ca);
    }
    hosts[registry.host] = host;
  }
  const dockerDir = join(home, '.docker');
  mkdirSync(dockerDir);
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths }));
  const regctlDir = join(home, '.regctl');
  mkdirSync(regctlDir);
  writeFileSync(join(regctlDir, 'config.json'), JSON.stringify({ hosts }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    DOCKER_CONFIG: dockerDir,
  };
  if (cas.length > 0) {
    const bundle = join(home, 'ca.pem');
    writeFileSync(bundle, cas.join('\n'));
    env.SSL_CERT_FILE = bundle;
  }
  return env;
}
