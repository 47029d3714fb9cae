// `lifeboat verify`: a one-shot proof, for CI and alerting, that the cluster would survive every
// source vanishing now. Wiring only: list the objects → planProtection (each workload's decision,
// the controller's own) → check the backups it runs in the backup registry (bounded, deduplicated)
// → protectionReport → print. Give it the flags (or the LIFEBOAT_* environment) `run` was given, or
// `--from-deployment` to read them from the controller's Deployment.
// Reads only. Exit 0 when no eligible container is exposed, 1 when one is (or the cluster or a
// backup could not be read: nothing is proven then), 2 for bad flags.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { NamespaceObject } from '../controllers/api/core-objects.ts';
import type { BackupFindings, ProtectionInput } from '../controllers/protection/index.ts';
import type { EventLike, PodSummary } from '../controllers/status/index.ts';
import type { EligibilityWorkload } from '../controllers/workloads/eligibility.ts';
import type { KubeApi, KubeObject } from '../kube/index.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { backupMappingOf, excludedNamespaces } from './config/run-flags.ts';
import { workloadScope } from './config/shared-flags.ts';
import {
  VERIFY_FLAGS,
  VERIFY_OWN_FLAGS,
  VERIFY_RUN_FLAGS,
  type VerifyConfig,
} from './config/verify-flags.ts';
import { messageOf, reportError } from './exit.ts';
import { runFlagsFromCommandLine, withRunFlags } from './run-config-source.ts';
import { createProcessLogger } from './logging.ts';
import { progressLine, verifyJson, verifyTable } from './verify-output.ts';

export function verifyCommand(): Command {
  const command = new Command('verify').description(
    'Prove that every workload would survive its sources vanishing now: each container protected (runs a ' +
      'complete, anchored backup it can pull), exposed (and why) or excluded; exit 1 when one is exposed',
  );
  addFlags(command, VERIFY_FLAGS);
  // Exit 1 means "exposed" to CI: every refusal of the invocation exits 2 (program.ts, exit.ts).
  return command.action(async (_flags: unknown, cmd: Command) => {
    const own = readConfigOrReport(cmd, VERIFY_OWN_FLAGS, workloadScope);
    if (!own) return;
    const shared = runFlagsFromCommandLine(cmd, VERIFY_RUN_FLAGS, own.fromDeployment, backupMappingOf);
    if (!shared) return;
    let caPems: string[];
    try {
      caPems = own.registryCa.map((file) => readFileSync(file, 'utf8'));
    } catch (err) {
      reportError(`--registry-ca: ${messageOf(err)}`, 'usage');
      return;
    }
    const logger = createProcessLogger({ format: 'text', level: own.logLevel, out: process.stderr });
    await withRunFlags(own, shared, VERIFY_RUN_FLAGS, backupMappingOf, logger, (run, api) =>
      verify({ ...own, ...run }, { api, logger, caPems }),
    );
  });
}

async function verify(
  config: VerifyConfig,
  { api, logger, caPems }: { api: KubeApi; logger: ReturnType<typeof createProcessLogger>; caPems: string[] },
): Promise<void> {
  const [protection, { createRegistryAccess }, { registryClientFactory }] = await Promise.all([
    import('../controllers/protection/index.ts'),
    import('../controllers/image-backups/registry-access.ts'),
    import('../registry/index.ts'),
  ]);
  const mapping = backupMappingOf(config);
  // The pull secret is what pods read the backups with, so it proves more; the push secret reads too.
  const access = createRegistryAccess({
    api,
    createClient: registryClientFactory({ insecureRegistries: config.insecureRegistries, caPems, logger }),
    mapping,
    pushSecret: config.backupPullSecret ?? config.backupPushSecret,
    logger,
  });
  const clients = protection.holdClients((repository, fn) => access.withPushClient(repository, fn));
  const progress = progressLine(process.stderr);
  try {
    const listed = await listObjects(api, config);
    if (listed === undefined) return;
    const plan = protection.planProtection({
      ...listed,
      eligibility: {
        excludedNamespaces: excludedNamespaces(config),
        namespaceSelector: config.namespaceSelector,
        excludeImages: config.excludeImages,
        sourceRegistries: config.sourceRegistries,
        requireReady: config.requireReady,
        mapping,
      },
      pinDigest: config.pinDigest,
      privateImages: config.privateImages,
      rewriteMode: config.rewriteMode,
      onlyNamespace: config.namespace,
    });
    const checker = protection.createBackupChecker({
      withClient: clients.withClient,
      shallow: config.shallow,
      onProgress: (p) => progress.update(p),
    });
    const findings = new Map<string, BackupFindings>(
      await Promise.all(plan.references.map(async (ref) => [ref, await checker.check(ref)] as const)),
    );
    progress.done();
    const report = protection.protectionReport(plan, findings, config.shallow);
    process.stdout.write(config.output === 'json' ? verifyJson(report) : verifyTable(report));
    process.exitCode = report.summary.exposed === 0 ? 0 : 1;
  } catch (err) {
    progress.done();
    reportError(messageOf(err));
  } finally {
    await clients.close();
    await access.close();
  }
}

type Listed = Pick<
  ProtectionInput,
  | 'workloads'
  | 'namespaces'
  | 'imageBackups'
  | 'pullSecretName'
  | 'pullSecretNamespaces'
  | 'latestEvents'
  | 'pods'
>;

/** Everything the verdicts read, listed at once; undefined (exit 1, said on stderr) without the CRD. */
async function listObjects(api: KubeApi, config: VerifyConfig): Promise<Listed | undefined> {
  const kube = await import('../kube/index.ts');
  const { imageBackupsServed } = await import('../controllers/api/install-crd.ts');
  const { imageBackupClient } = await import('../controllers/api/image-backup-resource.ts');
  const { WORKLOAD_RESOURCES } = await import('../controllers/api/workload-resources.ts');
  if (!(await imageBackupsServed(api))) {
    reportError(
      'the ImageBackup CRD (imagebackups.lifeboat.dev) is not installed: apply deploy/crd/, or run with --install-crds',
    );
    return undefined;
  }
  const namespace = config.namespace;
  const namespaces = kube.resourceClient<NamespaceObject>(api, kube.RESOURCES.namespaces);
  const { latestWorkloadEvents } = await import('../controllers/status/index.ts');
  const events = kube.resourceClient<EventLike & KubeObject>(api, kube.RESOURCES.events);
  const reportingController = kube.EVENT_RECORDER_DEFAULTS.reportingController;
  const [nsList, imageBackups, eventList, ...workloads] = await Promise.all([
    namespace === undefined
      ? namespaces.listAll()
      : namespaces.find(namespace).then((ns) => (ns === undefined ? [] : [ns])),
    imageBackupClient(api).listAll(),
    // lifeboat's Events say what only its registry checks know (PrivateSourceSkipped).
    events.listAll({ namespace, fieldSelector: `reportingController=${reportingController}` }),
    ...config.kinds.map(async (kind) => {
      const client = kube.resourceClient<EligibilityWorkload & KubeObject>(api, WORKLOAD_RESOURCES[kind]);
      return (await client.listAll({ namespace })).map((object) => ({ kind, object }));
    }),
  ]);
  const all = workloads.flat();
  // pods mode: a workload is protected through its running Pods, which are listed too.
  const pods =
    config.rewriteMode === 'pods'
      ? await kube.resourceClient<PodSummary & KubeObject>(api, kube.RESOURCES.pods).listAll({ namespace })
      : undefined;
  // Without --backup-pull-secret no copy is distributed, and none is looked for.
  const pullSecretName = config.backupPullSecret === undefined ? undefined : config.pullSecretName;
  const pullSecretNamespaces = new Set<string>();
  if (pullSecretName !== undefined) {
    const { createLimit } = await import('../controllers/protection/index.ts');
    const limit = createLimit(8);
    const secrets = kube.resourceClient<KubeObject>(api, kube.RESOURCES.secrets);
    const used = [...new Set(all.map((w) => w.object.metadata?.namespace ?? ''))];
    // Only whether it exists: its data goes into nothing that is printed.
    await Promise.all(
      used.map((ns) =>
        limit(async () => {
          if ((await secrets.find(pullSecretName, { namespace: ns })) !== undefined)
            pullSecretNamespaces.add(ns);
        }),
      ),
    );
  }
  return {
    namespaces: nsList,
    imageBackups,
    workloads: all,
    pullSecretName,
    pullSecretNamespaces,
    latestEvents: latestWorkloadEvents(eventList, reportingController),
    pods,
  };
}
