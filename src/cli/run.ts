// `lifeboat run`: the controller process. Configuration → API client → the controller manager
// (src/controllers/manager.ts, shared with `lifeboat dev`) → graceful shutdown on SIGTERM, exit codes.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import type { ManagerOptions } from '../controllers/manager.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import {
  backupMappingOf,
  checkRunConfig,
  checkTokenFlags,
  excludedNamespaces,
  RUN_FLAGS,
  webhookEndpointOf,
  type RunConfig,
} from './config/run-flags.ts';
import { connectOrReport } from './connect.ts';
import { messageOf, reportError } from './exit.ts';
import { createProcessLogger } from './logging.ts';
import { absorbDestroyedStreams } from './shutdown-guard.ts';

/** How long a SIGTERM may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export function runCommand(): Command {
  const command = new Command('run').description(
    'Run the controller: back up every image the workloads run, rewrite them to the copies, and distribute the backup pull secret to every namespace',
  );
  addFlags(command, RUN_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    // A configuration that cannot work exits 2 before anything touches the cluster.
    const config = readConfigOrReport(cmd, RUN_FLAGS, (c) => {
      checkRunConfig(c);
      checkTokenFlags(c);
    });
    if (!config) return;
    await runController(config);
  });
}

async function runController(config: RunConfig): Promise<void> {
  const [kube, manager] = await Promise.all([
    import('../kube/index.ts'),
    import('../controllers/manager.ts'),
  ]);
  const logger = createProcessLogger({ format: config.logFormat, level: config.logLevel });
  const identity = `${hostname()}-${randomBytes(3).toString('hex')}`;
  // The CA files were found readable when the configuration was read; one that vanished since fails here.
  let caPems: string[];
  try {
    caPems = config.registryCa.map((file) => readFileSync(file, 'utf8'));
  } catch (err) {
    reportError(`--registry-ca: ${messageOf(err)}`);
    return;
  }
  // A kubeconfig that cannot be read is one line naming the file, not a logged stack.
  const api = await connectOrReport(config, logger);
  if (!api) return;
  let running: Awaited<ReturnType<typeof manager.startManager>>;
  try {
    running = await manager.startManager(managerOptions(config, { api, logger, identity, caPems }));
  } catch (err) {
    if (err instanceof manager.ManagerStartError)
      logger.fatal(err.cause === undefined ? {} : { err: err.cause }, err.message);
    else logger.fatal({ err }, 'cannot start the controllers');
    await api.close();
    process.exitCode = 1;
    return;
  }
  logger.info(
    {
      address: running.address,
      identity,
      leaderElect: running.leaderElect,
      dryRun: config.dryRun,
      rewriteMode: config.rewriteMode,
      ...(running.webhookAddress === undefined ? {} : { webhookAddress: running.webhookAddress }),
    },
    'lifeboat run started',
  );
  let shuttingDown = false;
  kube.onShutdownSignal(
    async () => {
      shuttingDown = true;
      absorbDestroyedStreams(logger);
      await running.stop();
      await api.close();
    },
    // Below Kubernetes' default terminationGracePeriodSeconds (30 s), so our own forced exit, not
    // the kubelet's SIGKILL, ends a stuck drain.
    { logger, timeoutMs: SHUTDOWN_TIMEOUT_MS },
  );
  await running.done;
  if (!shuttingDown && running.lostLeadership()) {
    // Leadership lost without a signal: exit so the Deployment restarts a clean follower.
    logger.error('lost the leader lease: exiting');
    process.exit(1);
  }
}

/** The manager's options from `lifeboat run`'s configuration. */
export function managerOptions(
  config: RunConfig,
  given: Pick<ManagerOptions, 'api' | 'logger' | 'identity' | 'caPems'>,
): ManagerOptions {
  return {
    ...given,
    namespace: config.lifeboatNamespace,
    // Checked when the configuration was read (readConfigOrReport's check), so this cannot throw.
    mapping: backupMappingOf(config),
    insecureRegistries: config.insecureRegistries,
    backupPushSecret: config.backupPushSecret,
    sourceCredentials: config.sourceCredentials,
    backupPullSecret: config.backupPullSecret,
    pullSecretName: config.pullSecretName,
    pullSecretServiceAccounts: config.pullSecretServiceAccounts,
    excludedNamespaces: excludedNamespaces(config),
    namespaceSelector: config.namespaceSelector,
    maxRewritesPerMinute: config.maxRewritesPerMinute,
    kinds: config.kinds,
    excludeImages: config.excludeImages,
    sourceRegistries: config.sourceRegistries,
    requireReady: config.requireReady,
    platforms: config.platforms,
    pinDigest: config.pinDigest,
    maxConcurrentCopies: config.maxConcurrentCopies,
    sourceCheckIntervalMs: config.sourceCheckInterval,
    sourceCheckQps: config.sourceCheckQps,
    onSourceChange: config.onSourceChange,
    dryRun: config.dryRun,
    privateImages: config.privateImages,
    installCrds: config.installCrds,
    leaderElect: config.leaderElect,
    metricsAddr: config.metricsAddr,
    ...(config.privateImages === 'isolated' &&
    config.tokenAddr !== undefined &&
    config.tokenTlsSecret !== undefined &&
    config.tokenSigningSecret !== undefined
      ? {
          tokenService: {
            address: config.tokenAddr,
            tlsSecret: config.tokenTlsSecret,
            signingSecret: config.tokenSigningSecret,
            issuer: config.tokenIssuer,
            service: config.tokenService,
          },
        }
      : {}),
    podWebhook: podWebhookSettings(config),
  };
}

/** `--rewrite-mode=pods`'s webhook settings; undefined in workloads mode. */
function podWebhookSettings(config: RunConfig): ManagerOptions['podWebhook'] {
  // Checked when the configuration was read (checkRunConfig), so this cannot throw.
  const endpoint = webhookEndpointOf(config);
  if (endpoint === undefined) return undefined;
  return {
    address: config.webhookAddr,
    endpoint,
    certSecret: config.webhookCertSecret,
    certManagedExternally: config.webhookCertManagedExternally,
    certLifetimeMs: config.webhookCertLifetime,
  };
}
