// `lifeboat status`: the ImageBackups and the workloads as kubectl-style tables (`-o wide`, `-o
// json`), each workload with what lifeboat did or waits for, and why. Wiring only: list the objects
// → statusReport (controllers/status, the controller's own rules) → print. Give it the flags (or the
// LIFEBOAT_* environment) `run` was given, or `--from-deployment` to read them from the controller's
// Deployment, so it judges eligibility as the controller does. Reads only; exit 0 on success, 1 when
// the cluster cannot be read, 2 for bad flags.
import { Command } from 'commander';
import type { NamespaceObject } from '../controllers/api/core-objects.ts';
import type { EventLike, PodSummary, StatusInput, StatusWorkload } from '../controllers/status/index.ts';
import type { KubeApi, KubeObject } from '../kube/index.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { backupMappingOf, excludedNamespaces } from './config/run-flags.ts';
import { workloadScope } from './config/shared-flags.ts';
import {
  STATUS_FLAGS,
  STATUS_OWN_FLAGS,
  STATUS_RUN_FLAGS,
  type StatusConfig,
} from './config/status-flags.ts';
import { messageOf, reportError } from './exit.ts';
import { runFlagsFromCommandLine, withRunFlags } from './run-config-source.ts';
import { createProcessLogger } from './logging.ts';
import { statusJson, statusTables } from './status-output.ts';

export function statusCommand(): Command {
  const command = new Command('status').description(
    'Show the ImageBackups and the workloads, and for each workload what lifeboat did or waits for, and why ' +
      '(give the flags `run` was given, or --from-deployment NAMESPACE/NAME)',
  );
  addFlags(command, STATUS_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    const own = readConfigOrReport(cmd, STATUS_OWN_FLAGS, workloadScope);
    if (!own) return;
    const shared = runFlagsFromCommandLine(cmd, STATUS_RUN_FLAGS, own.fromDeployment, backupMappingOf);
    if (!shared) return;
    const logger = createProcessLogger({ format: 'text', level: own.logLevel, out: process.stderr });
    await withRunFlags(own, shared, STATUS_RUN_FLAGS, backupMappingOf, logger, (run, api) =>
      status({ ...own, ...run }, api),
    );
  });
}

async function status(config: StatusConfig, api: KubeApi): Promise<void> {
  try {
    const [{ statusReport }, { EVENT_RECORDER_DEFAULTS }] = await Promise.all([
      import('../controllers/status/index.ts'),
      import('../kube/index.ts'),
    ]);
    const listed = await listObjects(api, config);
    if (listed === undefined) return;
    const report = statusReport({
      ...listed,
      reportingController: EVENT_RECORDER_DEFAULTS.reportingController,
      eligibility: {
        excludedNamespaces: excludedNamespaces(config),
        namespaceSelector: config.namespaceSelector,
        excludeImages: config.excludeImages,
        sourceRegistries: config.sourceRegistries,
        requireReady: config.requireReady,
        mapping: backupMappingOf(config),
      },
      pinDigest: config.pinDigest,
      privateImages: config.privateImages,
      rewriteMode: config.rewriteMode,
      onlyNamespace: config.namespace,
    });
    process.stdout.write(
      config.output === 'json'
        ? statusJson(report)
        : statusTables(report, { wide: config.output === 'wide', now: Date.now() }),
    );
  } catch (err) {
    reportError(messageOf(err));
  }
}

/** Everything the report reads, listed at once; undefined (exit 1, said on stderr) without the CRD. */
async function listObjects(
  api: KubeApi,
  config: StatusConfig,
): Promise<Omit<StatusInput, 'reportingController' | 'eligibility'> | undefined> {
  const kube = await import('../kube/index.ts');
  const { imageBackupsServed } = await import('../controllers/api/install-crd.ts');
  const { imageBackupClient } = await import('../controllers/api/image-backup-resource.ts');
  const { WORKLOAD_RESOURCES } = await import('../controllers/api/workload-resources.ts');
  const { EVENT_RECORDER_DEFAULTS } = kube;
  if (!(await imageBackupsServed(api))) {
    reportError(
      'the ImageBackup CRD (imagebackups.lifeboat.dev) is not installed: apply deploy/crd/, or run with --install-crds',
    );
    return undefined;
  }
  const namespace = config.namespace;
  const namespaces = kube.resourceClient<NamespaceObject>(api, kube.RESOURCES.namespaces);
  const events = kube.resourceClient<EventLike & KubeObject>(api, kube.RESOURCES.events);
  const [nsList, imageBackups, eventList, ...workloads] = await Promise.all([
    namespace === undefined
      ? namespaces.listAll()
      : namespaces.find(namespace).then((ns) => (ns === undefined ? [] : [ns])),
    imageBackupClient(api).listAll(),
    // Only lifeboat's Events: the API server selects Events by reportingController.
    events.listAll({
      namespace,
      fieldSelector: `reportingController=${EVENT_RECORDER_DEFAULTS.reportingController}`,
    }),
    ...config.kinds.map(async (kind) => {
      const client = kube.resourceClient<StatusWorkload & KubeObject>(api, WORKLOAD_RESOURCES[kind]);
      return (await client.listAll({ namespace })).map((object) => ({ kind, object }));
    }),
  ]);
  // pods mode: a workload is protected through its running Pods, which are listed too.
  const pods =
    config.rewriteMode === 'pods'
      ? await kube.resourceClient<PodSummary & KubeObject>(api, kube.RESOURCES.pods).listAll({ namespace })
      : undefined;
  return { namespaces: nsList, imageBackups, events: eventList, workloads: workloads.flat(), pods };
}
