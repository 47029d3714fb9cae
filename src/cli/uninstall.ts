// `lifeboat uninstall`: removes what `lifeboat run` added to the cluster — the pull-secret copies
// (only Secrets labelled as lifeboat's) and lifeboat's entries in service accounts (only those its
// annotation vouches for), in every namespace but lifeboat's own (where `run` adds nothing and its
// source secrets live). Takes `run`'s definitions of the flags it reads, so it looks for the same
// names. Backups in the registry are never deleted.
// It first refuses (exit 1, removing nothing) while workloads still run images from the backup
// registry: their pods pull them with the copies it would delete (uninstall-check.ts); `--force`
// removes them anyway. `--dry-run` removes nothing and exits 0: it prints on stdout the workloads
// that would block it (all of them) and, one line per namespace, what it would remove there.
import { Command } from 'commander';
import type { WorkloadKind } from '../controllers/api/workload-types.ts';
import type { KubeObject } from '../kube/index.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { backupMappingOf } from './config/run-flags.ts';
import {
  UNINSTALL_FLAGS,
  UNINSTALL_OWN_FLAGS,
  UNINSTALL_RUN_FLAGS,
  type UninstallConfig,
} from './config/uninstall-flags.ts';
import type { KubeApi } from '../kube/index.ts';
import { runFlagsFromCommandLine, withRunFlags } from './run-config-source.ts';
import { messageOf, reportError } from './exit.ts';
import { createProcessLogger } from './logging.ts';
import {
  backupUsers,
  blockingText,
  refusalText,
  type BackupUser,
  type NamedWorkload,
} from './uninstall-check.ts';

/** Attempts per namespace when another writer changes a service account under us. */
const RACE_ATTEMPTS = 5;
/** Namespaces cleaned at once: the API client's token bucket (100 qps) is the real limit. */
const PARALLEL_NAMESPACES = 8;

export function uninstallCommand(): Command {
  const command = new Command('uninstall').description(
    'Remove the pull-secret copies and service-account entries lifeboat added (give the flags `run` was given that it takes, or --from-deployment NAMESPACE/NAME)',
  );
  addFlags(command, UNINSTALL_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    // A configuration that cannot work exits 2 before anything touches the cluster.
    const own = readConfigOrReport(cmd, UNINSTALL_OWN_FLAGS);
    if (!own) return;
    const shared = runFlagsFromCommandLine(cmd, UNINSTALL_RUN_FLAGS, own.fromDeployment, backupMappingOf);
    if (!shared) return;
    // Logs on stderr: stdout is what --dry-run lists.
    const logger = createProcessLogger({ format: own.logFormat, level: own.logLevel, out: process.stderr });
    await withRunFlags(own, shared, UNINSTALL_RUN_FLAGS, backupMappingOf, logger, (run, api) =>
      uninstall({ ...own, ...run }, api, logger),
    );
  });
}

/**
 * Removes the MutatingWebhookConfiguration `lifeboat run --rewrite-mode=pods` installed, and its
 * certificate Secret when lifeboat made it (labelled as lifeboat's; one cert-manager keeps stays).
 * Only with `--rewrite-mode=pods` (uninstall takes that flag of run's): in workloads mode lifeboat has no
 * rights on webhook configurations. A left-over configuration never blocks a Pod (failurePolicy
 * Ignore), but each Pod creation would try to call it.
 */
async function removePodWebhook(
  api: KubeApi,
  config: UninstallConfig,
  logger: ReturnType<typeof createProcessLogger>,
): Promise<void> {
  const kube = await import('../kube/index.ts');
  const { removeWebhookConfiguration, MUTATING_WEBHOOK_CONFIGURATIONS, WEBHOOK_CONFIGURATION_NAME } =
    await import('../controllers/pod-admission/webhook-configuration.ts');
  const { MANAGED_BY_LABEL, MANAGED_BY_VALUE } = await import('../controllers/api/labels.ts');
  type Secret = import('../controllers/api/core-objects.ts').SecretObject;
  const secrets = kube.resourceClient<Secret>(api, kube.RESOURCES.secrets);
  const certSecret = await secrets.find(config.webhookCertSecret, { namespace: config.lifeboatNamespace });
  const ownSecret = certSecret?.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  if (config.dryRun) {
    const exists = await kube
      .resourceClient(api, MUTATING_WEBHOOK_CONFIGURATIONS)
      .find(WEBHOOK_CONFIGURATION_NAME);
    if (exists)
      process.stdout.write(`would delete MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION_NAME}\n`);
    if (ownSecret)
      process.stdout.write(
        `namespace ${config.lifeboatNamespace}: would delete Secret ${config.webhookCertSecret}\n`,
      );
    return;
  }
  if (await removeWebhookConfiguration(api))
    logger.info({ name: WEBHOOK_CONFIGURATION_NAME }, 'deleted the MutatingWebhookConfiguration');
  if (ownSecret) {
    await secrets.delete(config.webhookCertSecret, { namespace: config.lifeboatNamespace });
    logger.info(
      { namespace: config.lifeboatNamespace, name: config.webhookCertSecret },
      "deleted the webhook's certificate Secret",
    );
  }
}

async function uninstall(
  config: UninstallConfig,
  api: KubeApi,
  logger: ReturnType<typeof createProcessLogger>,
): Promise<void> {
  const kube = await import('../kube/index.ts');
  const { removeFromNamespace } = await import('../controllers/pull-secrets/remove.ts');
  const { isEmptyRemoval, removalOf } = await import('../controllers/pull-secrets/decide.ts');
  const { WORKLOAD_RESOURCES } = await import('../controllers/api/workload-resources.ts');
  type Secret = import('../controllers/api/core-objects.ts').SecretObject;
  type ServiceAccount = import('../controllers/api/core-objects.ts').ServiceAccountObject;
  try {
    // Every workload kind, not only --kinds: one rewritten before --kinds changed still pulls backups.
    const mapping = backupMappingOf(config);
    const users: BackupUser[] = [];
    for (const kind of Object.keys(WORKLOAD_RESOURCES) as WorkloadKind[]) {
      const client = kube.resourceClient<NamedWorkload & KubeObject>(api, WORKLOAD_RESOURCES[kind]);
      users.push(...backupUsers(kind, await client.listAll(), mapping));
    }
    if (config.dryRun && users.length > 0) {
      process.stdout.write(blockingText(users, config.pullSecretName, config.force));
    } else if (users.length > 0 && !config.force) {
      process.stderr.write(refusalText(users, config.pullSecretName));
      process.exitCode = 1;
      return;
    }
    if (users.length > 0 && !config.dryRun) {
      logger.warn(
        { workloads: users.length },
        '--force: removing the pull-secret copies workloads still pull backups with',
      );
    }
    // The Pod admission webhook (--rewrite-mode=pods) goes first: no new Pod is moved to a backup
    // while the pull secrets it would need are being removed.
    if (config.rewriteMode === 'pods') await removePodWebhook(api, config, logger);
    const secrets = kube.resourceClient<Secret>(api, kube.RESOURCES.secrets);
    const accounts = kube.resourceClient<ServiceAccount>(api, kube.RESOURCES.serviceAccounts);
    // Where lifeboat may have added something: namespaces with a Secret of that name or a service account.
    const copies = await secrets.listAll({ fieldSelector: `metadata.name=${config.pullSecretName}` });
    const serviceAccounts = await accounts.listAll();
    const namespaces = new Set([...copies, ...serviceAccounts].map((o) => o.metadata.namespace ?? ''));
    namespaces.delete(config.lifeboatNamespace);
    let changed = 0;
    const queue = [...namespaces].sort();
    const worker = async (): Promise<void> => {
      for (let namespace = queue.shift(); namespace !== undefined; namespace = queue.shift()) {
        if (await removeFromFresh(namespace)) {
          changed++;
          if (!config.dryRun) logger.info({ namespace }, 'removed what lifeboat added');
        }
      }
    };
    // Each attempt reads the namespace afresh: a guarded patch that lost a race (422/409) is
    // planned again on what is there now.
    const removeFromFresh = async (namespace: string): Promise<boolean> => {
      for (let attempt = 1; ; attempt++) {
        try {
          // A list by name, not a GET: the ClusterRole grants Secret `get` only when
          // --private-images is not skip, and list by this name always (resourceNames).
          const [copy] = await secrets.listAll({
            namespace,
            fieldSelector: `metadata.name=${config.pullSecretName}`,
          });
          const inNamespace = await accounts.listAll({ namespace });
          if (config.dryRun)
            return wouldRemove(namespace, removalOf(copy, inNamespace, config.pullSecretName));
          return await removeFromNamespace({
            secrets,
            accounts,
            secretName: config.pullSecretName,
            copy,
            serviceAccounts: inNamespace,
          });
        } catch (err) {
          if (
            attempt >= RACE_ATTEMPTS ||
            !(kube.isConflict(err) || kube.isInvalid(err) || kube.isNotFound(err))
          ) {
            throw err;
          }
        }
      }
    };
    /** --dry-run: one line on stdout per namespace where something would be removed, nothing removed. */
    const wouldRemove = (namespace: string, removal: ReturnType<typeof removalOf>): boolean => {
      if (isEmptyRemoval(removal)) return false;
      const parts = [
        ...(removal.copy ? [`delete Secret ${removal.copy.name}`] : []),
        ...removal.accounts.map((a) => `remove it from service account ${a.name}`),
      ];
      process.stdout.write(`namespace ${namespace}: would ${parts.join(', ')}\n`);
      return true;
    };
    // Every worker finishes before the client closes, even when one of them failed.
    const outcomes = await Promise.allSettled(Array.from({ length: PARALLEL_NAMESPACES }, worker));
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
    logger.info(
      { namespaces: changed, dryRun: config.dryRun },
      config.dryRun ? 'lifeboat uninstall --dry-run: nothing removed' : 'lifeboat uninstall finished',
    );
  } catch (err) {
    reportError(`${messageOf(err)} (run lifeboat uninstall again to finish)`);
  }
}
