// The controller manager: everything `lifeboat run` and `lifeboat dev` run in one process, wired
// once. CRD check (or install) → registry access → shared informers → Event recorder → the three
// controllers (pull secrets, ImageBackups, workloads) → health/metrics server → leader election.
// Process concerns (signals, exit codes, where logs go) belong to the callers.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { LifeboatError } from '../common/errors.ts';
import type { BackupMapping } from '../reference/index.ts';
import {
  type LabelSelector,
  createEventRecorder,
  createLeaderElector,
  createSharedInformers,
  leadershipOf,
  startHealthServer,
  whileLeading,
  type KubeApi,
  type SharedInformers,
} from '../kube/index.ts';
import { registryClientFactory } from '../registry/index.ts';
import { createPullSecretDistribution } from './pull-secrets/controller.ts';
import { registerBuildInfo } from './build-info.ts';
import { createImageBackupController } from './image-backups/controller.ts';
import { imageBackupsServed, installCrd } from './api/install-crd.ts';
import { createRegistryAccess, type SecretRef } from './image-backups/registry-access.ts';
import { accessSecretCaches } from './image-backups/secret-caches.ts';
import { createWorkloadController } from './workloads/controller.ts';
import { createRegistryTokenService, type RegistryTokenService } from './registry-tokens/controller.ts';
import type { PrivateImages } from './workloads/private-images.ts';
import type { WorkloadKind } from './api/workload-types.ts';
import { startPodWebhook, type PodWebhook } from './pod-admission/webhook.ts';
import type { WebhookEndpoint } from './pod-admission/webhook-configuration.ts';

/** `--rewrite-mode=pods`: where and how the Pod admission webhook is served. */
export interface PodWebhookSettings {
  /** `--webhook-addr`. */
  readonly address: string;
  readonly endpoint: WebhookEndpoint;
  readonly certSecret: string;
  readonly certManagedExternally: boolean;
  /** `--webhook-cert-lifetime` in ms: one serving certificate's; the CA lives ten times longer. */
  readonly certLifetimeMs: number;
}

export interface ManagerOptions {
  /** The caller's client; the manager uses it and never closes it. */
  readonly api: KubeApi;
  readonly logger: Logger;
  /** Leader-election identity and Event reporting instance. */
  readonly identity: string;
  /** lifeboat's own namespace: the Lease lives here. */
  readonly namespace: string;
  readonly mapping: BackupMapping;
  readonly insecureRegistries: readonly string[];
  /** PEM text of extra CAs trusted for registries. */
  readonly caPems: readonly string[];
  readonly backupPushSecret?: SecretRef | undefined;
  readonly sourceCredentials?: SecretRef | undefined;
  /** Undefined: no pull-secret distribution, and rewrites add no pull secret. */
  readonly backupPullSecret?: SecretRef | undefined;
  readonly pullSecretName: string;
  readonly pullSecretServiceAccounts: readonly string[];
  /** Every namespace left alone by name (the always-excluded ones, our own, the configured ones). */
  readonly excludedNamespaces: ReadonlySet<string>;
  /** `--namespace-selector`; undefined: every namespace (but the excluded ones). */
  readonly namespaceSelector?: LabelSelector | undefined;
  /** `--max-rewrites-per-minute`; 0 or undefined: unlimited (`run`'s default is 60). */
  readonly maxRewritesPerMinute?: number | undefined;
  readonly kinds: readonly WorkloadKind[];
  readonly excludeImages: readonly string[];
  readonly sourceRegistries: readonly string[];
  readonly requireReady: boolean;
  /** Empty: every platform. */
  readonly platforms: readonly string[];
  readonly pinDigest: boolean;
  readonly maxConcurrentCopies: number;
  /** `--source-check-interval` in ms (0: off), `--source-check-qps`, `--on-source-change`. */
  readonly sourceCheckIntervalMs?: number;
  readonly sourceCheckQps?: number;
  readonly onSourceChange?: 'keep' | 'follow';
  readonly dryRun: boolean;
  /** `--private-images`; isolated: per-namespace pull credentials and the token service. */
  readonly privateImages: PrivateImages;
  readonly installCrds: boolean;
  readonly leaderElect: boolean;
  /** `host:port` of /healthz, /readyz and /metrics (port 0: any free one). */
  readonly metricsAddr: string;
  /** The token service (`--token-*`), served by every replica when `privateImages` is isolated. */
  readonly tokenService?: {
    readonly address: string;
    readonly tlsSecret: SecretRef;
    readonly signingSecret: SecretRef;
    readonly issuer: string;
    readonly service: string;
  };
  /**
   * `--rewrite-mode=pods` when set: no workload is patched, and every replica (not only the leader)
   * serves the Pod admission webhook. Ignored in a dry run (nothing may be written).
   */
  readonly podWebhook?: PodWebhookSettings | undefined;
}

export interface Manager {
  /** The caches the controllers read; callers may add informers and handlers (e.g. a live view). */
  readonly informers: SharedInformers;
  /** `host:port` the health server listens on. */
  readonly address: string;
  /** `host:port` the Pod admission webhook listens on (pods mode). */
  readonly webhookAddress?: string | undefined;
  /** Whether leader election is on (it is never on for a dry run). */
  readonly leaderElect: boolean;
  /**
   * Resolves when the controllers stopped: after `stop()`, or when leadership was lost (then
   * `lostLeadership()` is true and the process should exit so a clean follower takes over).
   */
  readonly done: Promise<void>;
  lostLeadership(): boolean;
  /** Stops the controllers, releases the lease, closes Events, registry clients, informers, server. */
  stop(): Promise<void>;
}

/**
 * The CA outlives its serving certificates by far (ten of them, at least ten years): a renewal
 * keeps the CA, so the caBundle the API server trusts does not change under a rotation.
 */
function caLifetimeFor(servingMs: number): { servingMs: number; caMs: number } {
  return { servingMs, caMs: Math.max(10 * servingMs, 3650 * 86_400_000) };
}

/** The manager could not start; `message` says what to fix. Nothing it started is left running. */
export class ManagerStartError extends LifeboatError {
  readonly code = 'MANAGER_START';
  readonly temporary = false;
}

/** Starts the controllers; throws ManagerStartError (with the cause) when it cannot. */
export async function startManager(o: ManagerOptions): Promise<Manager> {
  const { api, logger } = o;
  // Without the CRD the ImageBackup informer could never sync: install it, or say what is missing.
  let served: boolean;
  try {
    if (o.installCrds && !o.dryRun) {
      await installCrd(api, { logger });
      served = true;
    } else served = await imageBackupsServed(api);
  } catch (err) {
    throw new ManagerStartError('cannot install or read the ImageBackup CRD', { cause: err });
  }
  if (!served)
    throw new ManagerStartError(
      'the ImageBackup CRD (imagebackups.lifeboat.dev) is not installed: apply deploy/crd/, or run with --install-crds',
    );
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerBuildInfo(registry);
  // Object counts are exported by the leader only (src/kube/leader-only-metrics.ts): with leader
  // election (the condition of `leaderElect` below) not before this replica leads.
  const leadership = leadershipOf(registry);
  leadership.leading = !(o.leaderElect && !o.dryRun);
  const informers = createSharedInformers({ api, logger, registry });
  const events = createEventRecorder({ api, identity: o.identity, logger, registry });
  const access = createRegistryAccess({
    api,
    createClient: registryClientFactory({
      insecureRegistries: o.insecureRegistries,
      caPems: o.caPems,
      logger: logger.child({ component: 'registry' }),
    }),
    mapping: o.mapping,
    pushSecret: o.backupPushSecret,
    sourceCredentials: o.sourceCredentials,
    secretCaches: accessSecretCaches(informers, {
      pushSecret: o.backupPushSecret,
      sourceCredentials: o.sourceCredentials,
      ...(o.backupPullSecret && !o.dryRun ? { pullSecretName: o.pullSecretName } : {}),
    }),
    logger,
    registry,
    sourceRegistries: o.sourceRegistries,
    pullSecretName: o.pullSecretName,
  });
  const controllers: { run(signal: AbortSignal): Promise<void> }[] = [];
  const isolated = o.privateImages === 'isolated';
  // Isolated: every replica serves tokens from its caches (not only the leader).
  let tokens: RegistryTokenService | undefined;
  if (isolated && o.tokenService) {
    tokens = createRegistryTokenService({
      informers,
      logger,
      ...o.tokenService,
      namespace: o.namespace,
      backupHost: o.mapping.backupRegistry,
      pushSecret: o.backupPushSecret,
    });
  }
  // A dry run writes nothing to the API but its Events: no copies, no pull secrets, no Lease.
  if ((o.backupPullSecret || isolated) && !o.dryRun) {
    controllers.push(
      createPullSecretDistribution({
        api,
        informers,
        source: o.backupPullSecret,
        ...(isolated ? { isolated: { namespace: o.namespace, registryHost: o.mapping.backupRegistry } } : {}),
        secretName: o.pullSecretName,
        serviceAccounts: o.pullSecretServiceAccounts,
        excludedNamespaces: o.excludedNamespaces,
        namespaceSelector: o.namespaceSelector,
        events,
        logger,
        registry,
      }),
    );
  } else if (o.dryRun) {
    logger.info('dry run: nothing is copied, rewritten or distributed; Events say what would be');
  } else {
    logger.warn('no --backup-pull-secret: pull secrets are not distributed');
  }
  if (!o.dryRun) {
    controllers.push(
      createImageBackupController({
        api,
        informers,
        access,
        events,
        logger,
        registry,
        maxConcurrentCopies: o.maxConcurrentCopies,
        kinds: o.kinds,
        tenantCredentials: o.privateImages !== 'skip',
        ...(o.sourceCheckIntervalMs === undefined ? {} : { sourceCheckIntervalMs: o.sourceCheckIntervalMs }),
        ...(o.sourceCheckQps === undefined ? {} : { sourceCheckQps: o.sourceCheckQps }),
        ...(o.onSourceChange === undefined ? {} : { onSourceChange: o.onSourceChange }),
      }),
    );
  }
  controllers.push(
    createWorkloadController({
      api,
      informers,
      probe: access,
      events,
      logger,
      registry,
      kinds: o.kinds,
      eligibility: {
        excludedNamespaces: o.excludedNamespaces,
        namespaceSelector: o.namespaceSelector,
        excludeImages: o.excludeImages,
        sourceRegistries: o.sourceRegistries,
        requireReady: o.requireReady,
        mapping: o.mapping,
      },
      ...(o.platforms.length === 0 ? {} : { platforms: o.platforms }),
      pinDigest: o.pinDigest,
      ...(o.backupPullSecret || isolated ? { pullSecretName: o.pullSecretName } : {}),
      dryRun: o.dryRun,
      ...(o.maxRewritesPerMinute === undefined ? {} : { maxRewritesPerMinute: o.maxRewritesPerMinute }),
      privateImages: o.privateImages,
      rewriteMode: o.podWebhook === undefined ? 'workloads' : 'pods',
    }),
  );
  const leaderElect = o.leaderElect && !o.dryRun;

  // Every replica serves the webhook: it answers from the caches, which every replica keeps.
  let webhook: PodWebhook | undefined;
  if (o.podWebhook !== undefined && !o.dryRun) {
    try {
      webhook = await startPodWebhook({
        api,
        informers,
        logger,
        registry,
        namespace: o.namespace,
        address: o.podWebhook.address,
        endpoint: o.podWebhook.endpoint,
        secretName: o.podWebhook.certSecret,
        certManagedExternally: o.podWebhook.certManagedExternally,
        lifetimes: caLifetimeFor(o.podWebhook.certLifetimeMs),
        admission: {
          mapping: o.mapping,
          pinDigest: o.pinDigest,
          pullSecretName: o.backupPullSecret ? o.pullSecretName : undefined,
          excludedNamespaces: o.excludedNamespaces,
          namespaceSelector: o.namespaceSelector,
        },
      });
    } catch (err) {
      await access.close();
      await events.close();
      throw new ManagerStartError('cannot serve the Pod admission webhook', { cause: err });
    }
  }

  let health: Awaited<ReturnType<typeof startHealthServer>>;
  try {
    health = await startHealthServer({
      address: o.metricsAddr,
      registry,
      logger,
      readyChecks: {
        informers: () => informers.hasSynced(),
        ...(webhook === undefined ? {} : { webhook: () => webhook.ready() }),
      },
    });
  } catch (err) {
    await webhook?.stop();
    await access.close();
    await events.close();
    throw new ManagerStartError('cannot serve health and metrics', { cause: err });
  }

  const stopping = new AbortController();
  const work = async (signal: AbortSignal): Promise<void> => {
    await Promise.all(controllers.map((c) => c.run(signal)));
  };
  informers.start();
  const serving = tokens?.run(stopping.signal);
  const done = leaderElect
    ? createLeaderElector({
        api,
        namespace: o.namespace,
        name: 'lifeboat',
        identity: o.identity,
        logger,
        registry,
        onStartedLeading: whileLeading(leadership, work),
      }).run(stopping.signal)
    : work(stopping.signal);
  let stopped: Promise<void> | undefined;
  return {
    informers,
    address: health.address,
    webhookAddress: webhook?.address,
    leaderElect,
    done,
    // The elector returns without a stop only when it lost the lease.
    lostLeadership: () => leaderElect && !stopping.signal.aborted,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await done;
        await serving;
        await webhook?.stop();
        await events.close();
        await access.close();
        await informers.stop();
        await health.close();
      })();
      return stopped;
    },
  };
}
