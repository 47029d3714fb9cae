/** The configuration reference (docs/configuration.md), generated from the flag definitions. */
import { fileURLToPath } from 'node:url';
import { defaultText, envOf, type FlagSpec } from './flag.ts';
import { COPY_FLAGS } from './copy-flags.ts';
import { DEV_FLAGS } from './dev-flags.ts';
import { REF_FLAGS } from './ref-flags.ts';
import { RESTORE_FLAGS } from './restore-flags.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { UNINSTALL_FLAGS } from './uninstall-flags.ts';
import { STATUS_FLAGS } from './status-flags.ts';
import { VERIFY_FLAGS } from './verify-flags.ts';

/** Where the generated reference lives in the repository. */
export const CONFIGURATION_DOC = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A markdown table of one command's flags: flag, variable, default, meaning. */
export function flagsTable(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const short = s.short === undefined ? '' : `${s.short}, `;
    const flag =
      s.arg === undefined
        ? `\`${short}${s.flag}\` / \`--no-${s.flag.slice(2)}\``
        : `\`${short}${s.flag} ${s.arg}\``;
    const shown = defaultText(s);
    const def =
      shown === undefined
        ? s.required
          ? '(required)'
          : ''
        : s.defaultNote !== undefined
          ? `(${shown})`
          : `\`${shown}\``;
    const old = [...(s.deprecated?.flags ?? []), ...(s.deprecated?.env ?? [])].map((o) => `\`${o}\``);
    const meaning =
      old.length === 0
        ? s.help
        : `${s.help}. Deprecated spellings, still read with a warning: ${old.join(', ')}`;
    return `| ${cell(flag)} | \`${envOf(s)}\` | ${cell(def)} | ${cell(meaning)} |`;
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
    'Every command follows one convention. Exit status: 0 done, 1 failed, 2 usage error (an unknown flag,',
    'a missing value, a value refused, a bad argument). Errors are one line on stderr, `lifeboat: error: …`;',
    'warnings `lifeboat: warning: …`. `lifeboat --version` prints the version; every `--help` shows each',
    "flag's default and variable. Where a command acts on workloads (`status`, `verify`, `restore`),",
    "`-n/--namespace` is the workloads' namespace and `-A/--all-namespaces` all of them, as in kubectl;",
    "lifeboat's own namespace is `--lifeboat-namespace` (`LIFEBOAT_OWN_NAMESPACE`) everywhere. `--context`",
    'picks the kubeconfig context, as in kubectl.',
    '',
    '## `lifeboat run`',
    '',
    "`--namespace` and `LIFEBOAT_NAMESPACE`, which named lifeboat's own namespace before, still work, with a",
    'warning: use `--lifeboat-namespace` and `LIFEBOAT_OWN_NAMESPACE`.',
    '',
    flagsTable(RUN_FLAGS),
    '',
    '## `lifeboat uninstall`',
    '',
    'Takes only the flags it reads, with the values `run` was given, so that it removes what `run` added under',
    "those names (never anything in lifeboat's own namespace), and refuses while workloads still run images",
    'from the backup registry unless given `--force`. `--dry-run` lists the workloads that would block it and',
    "each namespace's copy and service-account references it would remove, removes nothing and exits 0.",
    "`--from-deployment NAMESPACE/NAME` reads the flags it shares with `run` from the controller's Deployment,",
    'as `status` does. `--namespace` still works as a deprecated spelling of `--lifeboat-namespace`.',
    '',
    flagsTable(UNINSTALL_FLAGS),
    '',
    '## `lifeboat status`',
    '',
    'Reads only. Give it the flags (or the `LIFEBOAT_*` environment) `run` was given: the flags it shares with',
    '`run` are the same definitions, so it judges every workload as the controller does. Or give',
    '`--from-deployment NAMESPACE/NAME` (e.g. `lifeboat-system/lifeboat`): those flags are then read from the',
    "arguments and environment of that Deployment's `lifeboat run` container, parsed as `run` parses them; giving",
    'one of them too is a usage error. A Deployment that runs no `lifeboat run`, or whose arguments `run` would',
    'refuse, exits 2; one that cannot be read or is not there exits 1.',
    '',
    flagsTable(STATUS_FLAGS),
    '',
    '## `lifeboat verify`',
    '',
    "Reads only, like `status`, and takes its flags (the same definitions as `run`'s, or `--from-deployment`),",
    'plus what reading the backup registry takes. For every container of every workload: `protected` (it runs',
    'a backup whose manifests, config and layers are all in the backup registry, each manifest anchored, with',
    'the pull secret in its namespace), `exposed` and why, or `excluded`. Exit 0 when nothing is exposed, 1',
    'otherwise, 2 for bad flags. It reads the backups with `--backup-pull-secret` (what pods pull with), else',
    "`--backup-push-secret`. `--registry-ca` files are this machine's, also with `--from-deployment`.",
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
