import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** The version of this package, read from package.json next to the sources. */
export function lifeboatVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function versionCommand(): Command {
  return new Command('version').description('Print the lifeboat version').action(() => {
    process.stdout.write(`lifeboat ${lifeboatVersion()} (node ${process.version})\n`);
  });
}
