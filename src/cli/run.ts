// `lifeboat run`: the controller process. Wiring only: configuration → API client → (CRD) →
// registry access → informers → controllers (pull secrets, ImageBackups, workloads) → health/metrics
// server → leader election → graceful shutdown on SIGTERM.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { addFlags, readConfigOrReport } from './config/commander.ts';
import {
  ALWAYS_EXCLUDED_NAMESPACES,
  backupMappingOf,
  RUN_FLAGS,
  type RunConfig,
} from './config/run-flags.ts';
import { createProcessLogger } from './logging.ts';

/** How long a SIGTERM may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export function runCommand(): Command {
  const command = new Command('run').description(
    'Run the controller: back up every image the workloads run, rewrite them to the copies, and distribute the backup pull secret to every namespace',
  );
  addFlags(command, RUN_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    // A configuration that cannot work exits 2 before anything touches the cluster.
    const config = readConfigOrReport(cmd, RUN_FLAGS, 2, backupMappingOf);
    if (!config) return;
    await runController(config);
  });
}

/** The namespaces lifeboat leaves alone by name (labels are read per namespace). */
export function excludedNamespaces(config: Pick<RunConfig, 'namespace' | 'excludeNamespaces'>): Set<string> {
  return new Set([...ALWAYS_EXCLUDED_NAMESPACES, config.namespace, ...config.excludeNamespaces]);
}

async function runController(config: RunConfig): Promise<void> {
  const [kube, registryModule, pullSecrets, imageBackups, crdInstall, workloads] = await Promise.all([
    import('../kube/index.ts'),
    import('../registry/index.ts'),
    import('../controllers/pull-secrets/controller.ts'),
    import('../controllers/image-backups/controller.ts'),
    import('../controllers/image-backups/install-crd.ts'),
    import('../controllers/workloads/controller.ts'),
  ]);
  const { createRegistryAccess } = await import('../controllers/image-backups/registry-access.ts');
  const { createSharedInformers, createEventRecorder } = kube;
  const logger = createProcessLogger({ format: config.logFormat, level: config.logLevel });
  const identity = `${hostname()}-${randomBytes(3).toString('hex')}`;
  // Checked when the configuration was read (readConfigOrReport's check), so this cannot throw.
  const mapping = backupMappingOf(config);
  // The CA files were found readable then; one that vanished since fails here.
  let caPems: string[];
  try {
    caPems = config.registryCa.map((file) => readFileSync(file, 'utf8'));
  } catch (err) {
    logger.fatal({ err }, 'cannot read a --registry-ca file');
    process.exitCode = 1;
    return;
  }
  let api: ReturnType<typeof kube.createKubeApi>;
  try {
    api = kube.createKubeApi({ kubeConfig: kube.loadKubeConfig(config.kubeconfig), logger });
  } catch (err) {
    logger.fatal({ err }, 'cannot load the kubeconfig');
    process.exitCode = 1;
    return;
  }
  // Without the CRD the ImageBackup informer could never sync: install it, or say what is missing.
  try {
    if (config.installCrds && !config.dryRun) await crdInstall.installCrd(api, { logger });
    else if (!(await crdInstall.imageBackupsServed(api))) {
      logger.fatal(
        'the ImageBackup CRD (imagebackups.lifeboat.dev) is not installed: apply deploy/crd/, or run with --install-crds',
      );
      await api.close();
      process.exitCode = 1;
      return;
    }
  } catch (err) {
    logger.fatal({ err }, 'cannot install or read the ImageBackup CRD');
    await api.close();
    process.exitCode = 1;
    return;
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const informers = createSharedInformers({ api, logger, registry });
  const events = createEventRecorder({ api, identity, logger, registry });
  const access = createRegistryAccess({
    api,
    createClient: registryModule.registryClientFactory({
      insecureRegistries: config.insecureRegistries,
      caPems,
      logger: logger.child({ component: 'registry' }),
    }),
    mapping,
    pushSecret: config.backupPushSecret,
    sourceCredentials: config.sourceCredentials,
    logger,
    registry,
  });
  const controllers: { run(signal: AbortSignal): Promise<void>; hasSynced(): boolean }[] = [];
  // A dry run writes nothing to the API but its Events: no copies, no pull secrets, no Lease.
  if (config.backupPullSecret && !config.dryRun) {
    controllers.push(
      pullSecrets.createPullSecretDistribution({
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
    );
  } else if (config.dryRun) {
    logger.info('dry run: nothing is copied, rewritten or distributed; Events say what would be');
  } else {
    logger.warn('no --backup-pull-secret: pull secrets are not distributed');
  }
  if (!config.dryRun) {
    controllers.push(
      imageBackups.createImageBackupController({
        api,
        informers,
        access,
        events,
        logger,
        registry,
        maxConcurrentCopies: config.maxConcurrentCopies,
      }),
    );
  }
  controllers.push(
    workloads.createWorkloadController({
      api,
      informers,
      probe: access,
      events,
      logger,
      registry,
      kinds: config.kinds,
      eligibility: {
        excludedNamespaces: excludedNamespaces(config),
        excludeImages: config.excludeImages,
        sourceRegistries: config.sourceRegistries,
        requireReady: config.requireReady,
        mapping,
      },
      // No --platforms: every platform.
      ...(config.platforms.length === 0 ? {} : { platforms: config.platforms }),
      pinDigest: config.pinDigest,
      ...(config.backupPullSecret ? { pullSecretName: config.pullSecretName } : {}),
      dryRun: config.dryRun,
    }),
  );
  const leaderElect = config.leaderElect && !config.dryRun;

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
  logger.info(
    { address: health.address, identity, leaderElect, dryRun: config.dryRun },
    'lifeboat run started',
  );

  const stop = new AbortController();
  const work = async (signal: AbortSignal): Promise<void> => {
    await Promise.all(controllers.map((c) => c.run(signal)));
  };
  informers.start();
  let running: Promise<void>;
  if (leaderElect) {
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
      await access.close();
      await informers.stop();
      await health.close();
      await api.close();
    },
    // Below Kubernetes' default terminationGracePeriodSeconds (30 s), so our own forced exit, not
    // the kubelet's SIGKILL, ends a stuck drain.
    { logger, timeoutMs: SHUTDOWN_TIMEOUT_MS },
  );
  await running;
  if (!shuttingDown && leaderElect) {
    // Leadership lost without a signal: exit so the Deployment restarts a clean follower.
    logger.error('lost the leader lease: exiting');
    process.exit(1);
  }
}
