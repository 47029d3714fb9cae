// `lifeboat run`: the controller process. Wiring only: configuration → API client → informers →
// controllers → health/metrics server → leader election → graceful shutdown on SIGTERM.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { addFlags, readConfigOrReport } from './config/commander.ts';
import { ALWAYS_EXCLUDED_NAMESPACES, RUN_FLAGS, type RunConfig } from './config/run-flags.ts';
import { createProcessLogger } from './logging.ts';

/** How long a SIGTERM may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export function runCommand(): Command {
  const command = new Command('run').description(
    'Run the controller: distribute the backup pull secret to every namespace (and, as the product grows, back up and rewrite workloads)',
  );
  addFlags(command, RUN_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    // A configuration that cannot work exits 2 before anything touches the cluster.
    const config = readConfigOrReport(cmd, RUN_FLAGS, 2);
    if (!config) return;
    await runController(config);
  });
}

/** The namespaces lifeboat leaves alone by name (labels are read per namespace). */
export function excludedNamespaces(config: Pick<RunConfig, 'namespace' | 'excludeNamespaces'>): Set<string> {
  return new Set([...ALWAYS_EXCLUDED_NAMESPACES, config.namespace, ...config.excludeNamespaces]);
}

async function runController(config: RunConfig): Promise<void> {
  const kube = await import('../kube/index.ts');
  const { createPullSecretDistribution } = await import('../controllers/pull-secrets/controller.ts');
  const { createSharedInformers, createEventRecorder } = kube;
  const logger = createProcessLogger({ format: config.logFormat, level: config.logLevel });
  const identity = `${hostname()}-${randomBytes(3).toString('hex')}`;
  let api: ReturnType<typeof kube.createKubeApi>;
  try {
    api = kube.createKubeApi({ kubeConfig: kube.loadKubeConfig(config.kubeconfig), logger });
  } catch (err) {
    logger.fatal({ err }, 'cannot load the kubeconfig');
    process.exitCode = 1;
    return;
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const informers = createSharedInformers({ api, logger, registry });
  const events = createEventRecorder({ api, identity, logger, registry });
  const distributions = config.backupPullSecret
    ? [
        createPullSecretDistribution({
          api,
          informers,
          source: config.backupPullSecret,
          secretName: config.pullSecretName,
          serviceAccounts: config.pullSecretServiceAccounts,
          excludedNamespaces: excludedNamespaces(config),
          events,
          logger,
          registry,
        }),
      ]
    : [];
  if (distributions.length === 0) logger.warn('no --backup-pull-secret: pull secrets are not distributed');

  let health: Awaited<ReturnType<typeof kube.startHealthServer>>;
  try {
    health = await kube.startHealthServer({
      address: config.metricsAddr,
      registry,
      logger,
      readyChecks: { informers: () => informers.hasSynced() },
    });
  } catch (err) {
    logger.fatal({ err }, 'cannot serve health and metrics');
    await api.close();
    process.exitCode = 1;
    return;
  }
  logger.info({ address: health.address, identity, leaderElect: config.leaderElect }, 'lifeboat run started');

  const stop = new AbortController();
  const work = async (signal: AbortSignal): Promise<void> => {
    await Promise.all(distributions.map((d) => d.run(signal)));
  };
  informers.start();
  let running: Promise<void>;
  if (config.leaderElect) {
    const elector = kube.createLeaderElector({
      api,
      namespace: config.namespace,
      name: 'lifeboat',
      identity,
      logger,
      registry,
      onStartedLeading: work,
    });
    running = elector.run(stop.signal);
  } else {
    running = work(stop.signal);
  }
  let shuttingDown = false;
  kube.onShutdownSignal(
    async () => {
      shuttingDown = true;
      // undici 8 can emit 'error' with no listener on an HTTP/2 stream (a watch just aborted by
      // its informer) when the agent's session closes under it: a ClientDestroyedError that would
      // end a clean shutdown with exit 1. Only that error, and only while shutting down, is absorbed.
      process.on('uncaughtException', (err: Error & { code?: string }) => {
        if (err.code === 'UND_ERR_DESTROYED')
          return void logger.debug({ err }, 'stream closed with its agent');
        logger.fatal({ err }, 'uncaught exception during shutdown');
        process.exit(1);
      });
      stop.abort();
      await running;
      await events.close();
      await informers.stop();
      await health.close();
      await api.close();
    },
    // Below Kubernetes' default terminationGracePeriodSeconds (30 s), so our own forced exit, not
    // the kubelet's SIGKILL, ends a stuck drain.
    { logger, timeoutMs: SHUTDOWN_TIMEOUT_MS },
  );
  await running;
  if (!shuttingDown && config.leaderElect) {
    // Leadership lost without a signal: exit so the Deployment restarts a clean follower.
    logger.error('lost the leader lease: exiting');
    process.exit(1);
  }
}
