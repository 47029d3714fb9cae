/**
 * `lifeboat run`'s configuration as a Deployment runs it, for `status` and `verify
 * --from-deployment`: the controller container's arguments and literal environment, parsed with
 * `run`'s own flag definitions (RUN_FLAGS through commander, as the process in the pod parses them;
 * no second parser). Pure: the command reads the Deployment and passes it in.
 *
 * Every refusal is a `ConfigError` (a usage error: the Deployment named is not lifeboat's, or what
 * it runs would not start), one line naming the Deployment.
 */
import { basename } from 'node:path';
import { Command, CommanderError } from 'commander';
import { addFlags, readConfig } from './commander.ts';
import { ConfigError, envOf, type ConfigOf, type FlagSpec } from './flag.ts';
import { RUN_FLAGS } from './run-flags.ts';

export interface EnvVarLike {
  readonly name: string;
  readonly value?: string | undefined;
  readonly valueFrom?: unknown;
}

export interface ContainerSpecLike {
  readonly name: string;
  readonly command?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
  readonly env?: readonly EnvVarLike[] | undefined;
}

export interface DeploymentLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string } | undefined;
  readonly spec?:
    | { readonly template?: { readonly spec?: { readonly containers?: readonly ContainerSpecLike[] } } }
    | undefined;
}

/** How the CLI is started in an image or a checkout: `lifeboat run …`, `node src/cli/main.ts run …`. */
const ENTRY_POINTS = new Set(['lifeboat', 'main.ts', 'main.js']);

/** `run`'s arguments in `argv` (what follows `run`), or undefined when it does not start `lifeboat run`. */
function runArguments(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('run');
  if (at < 0) return undefined;
  // `run` first: the image's entrypoint is lifeboat (the chart's `args`); else after lifeboat itself.
  if (at === 0 || ENTRY_POINTS.has(basename(argv[at - 1] ?? ''))) return argv.slice(at + 1);
  return undefined;
}

export interface RunInvocation {
  readonly container: string;
  readonly args: readonly string[];
  /** The container's literal variables (`value`); `valueFrom` ones are refused if lifeboat's. */
  readonly env: Readonly<Record<string, string>>;
}

/** The one container of `deployment` that runs `lifeboat run`, with its arguments and variables. */
export function runInvocation(
  deployment: DeploymentLike,
  specs: readonly FlagSpec[] = RUN_FLAGS,
): RunInvocation {
  const where = `Deployment ${deployment.metadata?.namespace ?? ''}/${deployment.metadata?.name ?? ''}`;
  const found = (deployment.spec?.template?.spec?.containers ?? []).flatMap((c) => {
    const args = runArguments([...(c.command ?? []), ...(c.args ?? [])]);
    return args === undefined ? [] : [{ container: c, args }];
  });
  if (found.length !== 1) {
    throw new ConfigError(
      '--from-deployment',
      found.length === 0
        ? `${where} is not lifeboat's: none of its containers runs \`lifeboat run\``
        : `${where} has ${found.length} containers that run \`lifeboat run\`: expected one`,
    );
  }
  const { container, args } = found[0]!;
  const read = new Set(specs.flatMap((s) => [envOf(s), ...(s.deprecated?.env ?? [])]));
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.valueFrom !== undefined && read.has(v.name)) {
      throw new ConfigError(
        '--from-deployment',
        `${where}: container ${container.name} sets ${v.name} from a valueFrom, which cannot be read here: give the flags instead of --from-deployment`,
      );
    }
    if (v.value !== undefined) env[v.name] = v.value;
  }
  return { container: container.name, args, env };
}

/**
 * `specs` (a selection of RUN_FLAGS) read from `invocation` as `lifeboat run` reads its command line
 * and environment: arguments `run` would refuse are refused here, naming the Deployment.
 */
export function parseRunInvocation<const S extends readonly FlagSpec[]>(
  invocation: RunInvocation,
  specs: S,
  where: string,
  warn: (message: string) => void = () => {},
): ConfigOf<S> {
  const command = addFlags(
    new Command('run').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }),
    RUN_FLAGS,
  );
  try {
    command.parse([...invocation.args], { from: 'user' });
    return readConfig(command, specs, invocation.env, (message) => warn(`${where}: ${message}`));
  } catch (err) {
    const reason =
      err instanceof CommanderError
        ? err.message.replace(/^error: /, '')
        : err instanceof Error
          ? err.message
          : String(err);
    if (err instanceof CommanderError || err instanceof ConfigError)
      throw new ConfigError(
        '--from-deployment',
        `${where}: its \`lifeboat run\` arguments do not parse: ${reason}`,
      );
    throw err;
  }
}
