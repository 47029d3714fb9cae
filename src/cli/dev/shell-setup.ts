// The one line `lifeboat dev` gives for a new shell: `source DIR/env` puts `lifeboat` (a shim that
// runs this checkout with the Node running now), kubectl and crane on PATH, points kubectl at the
// cluster and crane and `lifeboat copy` at the registries' logins, so every suggested command works
// as printed. Everything lives in the dev temp dir and goes with it.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShellSetup {
  readonly envFile: string;
  readonly binDir: string;
}

export interface ShellSetupOptions {
  /** The dev temp dir. */
  readonly dir: string;
  readonly kubeconfig: string;
  /** The pinned binaries (kubectl, crane). */
  readonly toolsBin: string;
  /** docker config.json text for crane and `lifeboat copy`. */
  readonly dockerConfig: string;
  /** Extra variables for the suggested commands (no LIFEBOAT_*: those would configure lifeboat). */
  readonly variables: Readonly<Record<string, string>>;
}

// src/cli/dev/shell-setup.ts → the CLI entry point of this checkout.
const MAIN = new URL('../main.ts', import.meta.url).pathname;

export function writeShellSetup(o: ShellSetupOptions): ShellSetup {
  const binDir = join(o.dir, 'bin');
  mkdirSync(binDir);
  const shim = join(binDir, 'lifeboat');
  // The flags of main.ts's shebang, with an absolute Node: PATH's `node` may be too old.
  writeFileSync(
    shim,
    `#!/bin/sh\nexec ${quote(process.execPath)} --max-semi-space-size=1 ${quote(MAIN)} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  const dockerDir = join(o.dir, 'docker');
  mkdirSync(dockerDir);
  writeFileSync(join(dockerDir, 'config.json'), o.dockerConfig);
  const envFile = join(o.dir, 'env');
  const variables = {
    KUBECONFIG: o.kubeconfig,
    DOCKER_CONFIG: dockerDir,
    ...o.variables,
  };
  writeFileSync(
    envFile,
    [
      `export PATH=${quote(binDir)}:${quote(o.toolsBin)}:"$PATH"`,
      ...Object.entries(variables).map(([k, v]) => `export ${k}=${quote(v)}`),
    ].join('\n') + '\n',
  );
  return { envFile, binDir };
}

/** POSIX single quotes. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
