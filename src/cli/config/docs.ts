/** The configuration reference (docs/configuration.md), generated from the flag definitions. */
import { fileURLToPath } from 'node:url';
import { envNameOf, type FlagSpec } from './flag.ts';
import { COPY_FLAGS } from './copy-flags.ts';
import { DEV_FLAGS } from './dev-flags.ts';
import { REF_FLAGS } from './ref-flags.ts';
import { RESTORE_FLAGS } from './restore-flags.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { FORCE_FLAG } from './uninstall-flags.ts';
import { STATUS_FLAGS } from './status-flags.ts';
import { VERIFY_FLAGS } from './verify-flags.ts';

/** Where the generated reference lives in the repository. */
export const CONFIGURATION_DOC = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A markdown table of one command's flags: flag, variable, default, meaning. */
export function flagsTable(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const flag =
      s.arg === undefined
        ? `\`${s.flag}\` / \`--no-${s.flag.slice(2)}\``
        : `\`${s.short === undefined ? '' : `${s.short}, `}${s.flag} ${s.arg}\``;
    const def =
      s.defaultNote ??
      (s.default === undefined ? (s.required ? '(required)' : '') : `\`${String(s.default)}\``);
    return `| ${cell(flag)} | \`${envNameOf(s.flag)}\` | ${cell(def)} | ${cell(s.help)} |`;
  });
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The whole docs/configuration.md. */
export function configurationMarkdown(): string {
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/cli/config by `npm run docs:config`; a test fails when this file is stale. -->',
    '',
    'Every flag can also be set through its environment variable; the command line wins. Invalid',
    'values stop the command at start with one line naming the flag, the variable and the value.',
    '',
    '## `lifeboat run` and `lifeboat uninstall`',
    '',
    '`uninstall` takes the flags `run` was given, so that it removes what `run` added under those names, and',
    'refuses while workloads still run images from the backup registry unless given `--force`:',
    '',
    flagsTable([FORCE_FLAG]),
    '',
    flagsTable(RUN_FLAGS),
    '',
    '## `lifeboat status`',
    '',
    'Reads only. Give it the flags (or the `LIFEBOAT_*` environment) `run` was given: the flags it shares with',
    '`run` are the same definitions, so it judges every workload as the controller does. `--namespace` is',
    "lifeboat's own, as for `run`; `-n` picks the namespace whose workloads are shown.",
    '',
    flagsTable(STATUS_FLAGS),
    '',
    '## `lifeboat verify`',
    '',
    "Reads only, like `status`, and takes its flags (the same definitions as `run`'s), plus what reading the",
    'backup registry takes. For every container of every workload: `protected` (it runs a backup whose',
    'manifests, config and layers are all in the backup registry, each manifest anchored, with the pull secret',
    'in its namespace), `exposed` and why, or `excluded`. Exit 0 when nothing is exposed, 1 otherwise, 2 for bad',
    'flags. It reads the backups with `--backup-pull-secret` (what pods pull with), else `--backup-push-secret`.',
    '',
    flagsTable(VERIFY_FLAGS),
    '',
    '## `lifeboat restore [KIND/NAME]`',
    '',
    flagsTable(RESTORE_FLAGS),
    '',
    '## `lifeboat copy SRC DST`',
    '',
    flagsTable(COPY_FLAGS),
    '',
    '## `lifeboat ref [REF...]`',
    '',
    flagsTable(REF_FLAGS),
    '',
    '## `lifeboat dev`',
    '',
    flagsTable(DEV_FLAGS),
    '',
  ].join('\n');
}
