// Where `status`, `verify` and `uninstall` take `run`'s flags from: their own command line and
// LIFEBOAT_* environment, or (`--from-deployment NS/NAME`) the controller's Deployment, read from the
// cluster and parsed with `run`'s own definitions (config/run-invocation.ts).
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/index.ts';
import { connectOrReport, type ConnectionConfig } from './connect.ts';
import { givenOnCommandLine } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { ConfigError, type ConfigOf, type FlagSpec } from './config/flag.ts';
import { parseRunInvocation, runInvocation, type DeploymentLike } from './config/run-invocation.ts';
import type { ObjectRef } from './config/values.ts';
import { messageOf, reportError, reportWarning } from './exit.ts';

/**
 * Before connecting: with `--from-deployment`, refuses (usage error, `false`) any of `specs` typed on
 * the command line, as it would be ignored; without it, reads `specs` from the command line and
 * environment (`undefined` after a usage error), and `check`s them.
 */
export function runFlagsFromCommandLine<const S extends readonly FlagSpec[]>(
  command: Command,
  specs: S,
  fromDeployment: ObjectRef | undefined,
  check?: (config: ConfigOf<S>) => unknown,
): ConfigOf<S> | 'from-deployment' | undefined {
  if (fromDeployment === undefined) return readConfigOrReport(command, specs, check);
  const typed = specs.filter((s) => givenOnCommandLine(command, s)).map((s) => s.flag);
  if (typed.length > 0) {
    reportError(
      `${typed.join(', ')}: read from the Deployment with --from-deployment; give one or the other`,
      'usage',
    );
    return undefined;
  }
  return 'from-deployment';
}

/**
 * `specs` as the Deployment `ref` runs them. Undefined after one line on stderr: exit 1 when the
 * Deployment cannot be read or is not there, 2 when it is not lifeboat's or its arguments would not
 * start `lifeboat run` (or fail `check`).
 */
export async function runFlagsFromDeployment<const S extends readonly FlagSpec[]>(
  api: KubeApi,
  ref: ObjectRef,
  specs: S,
  check?: (config: ConfigOf<S>) => unknown,
): Promise<ConfigOf<S> | undefined> {
  const kube = await import('../kube/index.ts');
  const where = `Deployment ${ref.namespace}/${ref.name}`;
  let deployment: DeploymentLike | undefined;
  try {
    deployment = await kube
      .resourceClient<DeploymentLike & import('../kube/index.ts').KubeObject>(api, kube.RESOURCES.deployments)
      .find(ref.name, { namespace: ref.namespace });
  } catch (err) {
    reportError(`--from-deployment: reading ${where}: ${messageOf(err)}`);
    return undefined;
  }
  if (deployment === undefined) {
    reportError(`--from-deployment: ${where} not found`);
    return undefined;
  }
  try {
    const config = parseRunInvocation(runInvocation(deployment, specs), specs, where, reportWarning);
    check?.(config);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportError(err.message.startsWith(where) ? err.message : `${where}: ${err.message}`, 'usage');
    return undefined;
  }
}

/**
 * The rest of such a command once `runFlagsFromCommandLine` has answered: connects, reads `run`'s
 * flags from the Deployment when that is where they are, hands them and the client to `fn`, and
 * closes the client whatever happens. Returns without calling `fn` after one line on stderr (the
 * exit status set by connectOrReport or runFlagsFromDeployment).
 */
export async function withRunFlags<const S extends readonly FlagSpec[]>(
  own: ConnectionConfig & { readonly fromDeployment: ObjectRef | undefined },
  shared: ConfigOf<S> | 'from-deployment',
  specs: S,
  check: ((config: ConfigOf<S>) => unknown) | undefined,
  logger: Logger,
  fn: (run: ConfigOf<S>, api: KubeApi) => Promise<void>,
): Promise<void> {
  const api = await connectOrReport(own, logger);
  if (!api) return;
  try {
    const run =
      shared === 'from-deployment'
        ? await runFlagsFromDeployment(api, own.fromDeployment!, specs, check)
        : shared;
    if (run) await fn(run, api);
  } finally {
    await api.close();
  }
}
