// `lifeboat uninstall`: removes what `lifeboat run` added to the cluster — the pull-secret copies
// (only Secrets labelled as lifeboat's) and lifeboat's entries in service accounts (only those its
// annotation vouches for). Takes the same flags as `run`, so it looks for the same names. Backups
// in the registry are never deleted.
import { Command } from 'commander';
import { addFlags, readConfigOrReport } from './config/commander.ts';
import { RUN_FLAGS, type RunConfig } from './config/run-flags.ts';
import { connectOrReport } from './connect.ts';
import { createProcessLogger } from './logging.ts';

/** Attempts per namespace when another writer changes a service account under us. */
const RACE_ATTEMPTS = 5;
/** Namespaces cleaned at once: the API client's token bucket (50 qps) is the real limit. */
const PARALLEL_NAMESPACES = 8;

export function uninstallCommand(): Command {
  const command = new Command('uninstall').description(
    'Remove the pull-secret copies and service-account entries lifeboat added (give the flags `run` was given)',
  );
  addFlags(command, RUN_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    // A configuration that cannot work exits 2 before anything touches the cluster.
    const config = readConfigOrReport(cmd, RUN_FLAGS, 2);
    if (!config) return;
    await uninstall(config);
  });
}

async function uninstall(config: RunConfig): Promise<void> {
  const kube = await import('../kube/index.ts');
  const { removeFromNamespace } = await import('../controllers/pull-secrets/remove.ts');
  type Secret = import('../controllers/api/core-objects.ts').SecretObject;
  type ServiceAccount = import('../controllers/api/core-objects.ts').ServiceAccountObject;
  const logger = createProcessLogger({ format: config.logFormat, level: config.logLevel });
  const api = await connectOrReport('uninstall', config, logger);
  if (!api) return;
  try {
    const secrets = kube.resourceClient<Secret>(api, kube.RESOURCES.secrets);
    const accounts = kube.resourceClient<ServiceAccount>(api, kube.RESOURCES.serviceAccounts);
    // Where lifeboat may have added something: namespaces with a Secret of that name or a service account.
    const copies = await secrets.listAll({ fieldSelector: `metadata.name=${config.pullSecretName}` });
    const serviceAccounts = await accounts.listAll();
    const namespaces = new Set([...copies, ...serviceAccounts].map((o) => o.metadata.namespace ?? ''));
    let changed = 0;
    const queue = [...namespaces].sort();
    const worker = async (): Promise<void> => {
      for (let namespace = queue.shift(); namespace !== undefined; namespace = queue.shift()) {
        if (await removeFromFresh(namespace)) {
          changed++;
          logger.info({ namespace }, 'removed what lifeboat added');
        }
      }
    };
    // Each attempt reads the namespace afresh: a guarded patch that lost a race (422/409) is
    // planned again on what is there now.
    const removeFromFresh = async (namespace: string): Promise<boolean> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await removeFromNamespace({
            secrets,
            accounts,
            secretName: config.pullSecretName,
            copy: await secrets.find(config.pullSecretName, { namespace }),
            serviceAccounts: await accounts.listAll({ namespace }),
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
    // Every worker finishes before the client closes, even when one of them failed.
    const outcomes = await Promise.allSettled(Array.from({ length: PARALLEL_NAMESPACES }, worker));
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
    logger.info({ namespaces: changed }, 'lifeboat uninstall finished');
  } catch (err) {
    logger.error({ err }, 'lifeboat uninstall failed; run it again to finish');
    process.exitCode = 1;
  } finally {
    await api.close();
  }
}
