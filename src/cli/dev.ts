// `lifeboat dev`: the product on one machine. The embedded environment (src/devenv: a real control
// plane with kwok nodes, a "public" and a private source registry with demo images, a token-auth
// backup registry), the demo (dev/demo.ts), and the controller itself in this process, wired by the
// same manager as `lifeboat run` from the `lifeboat run` arguments it prints. A live view follows
// (dev/live-view.ts) until Ctrl-C, which stops every process and removes every temporary directory.
//
// It needs the repository checkout (tools/ builds the pinned binaries, dev dependencies): the one
// command a production install (npm ci --omit=dev) cannot run, and it says so.
import { existsSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { onShutdownSignal } from '../common/shutdown-signal.ts';
import { addFlags, readConfig } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { DEV_FLAGS, type DevConfig } from './config/dev-flags.ts';
import { messageOf, reportError } from './exit.ts';
import { backupMappingOf, excludedNamespaces, RUN_FLAGS } from './config/run-flags.ts';
import type { KubeObject } from '../kube/index.ts';
import type { NamespaceObject } from '../controllers/api/core-objects.ts';
import type { ImageBackup } from '../controllers/api/image-backup-schema.ts';
import type { Workload } from '../controllers/api/workload-types.ts';

const BUILD_SCRIPT = new URL('../../tools/build.sh', import.meta.url).pathname;

export function devCommand(): Command {
  const command = new Command('dev').description(
    'Run the whole product locally: control plane, registries, demo workloads and the controller, with live progress',
  );
  addFlags(command, DEV_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    const options = readConfigOrReport(cmd, DEV_FLAGS);
    if (!options) return;
    if (!existsSync(BUILD_SCRIPT)) {
      reportError(
        `lifeboat dev needs a clone of the repository with its dev dependencies (npm ci): ${BUILD_SCRIPT} builds the servers it runs and is missing here. Production installs run \`lifeboat run\`.`,
      );
      return;
    }
    await runDev(options);
  });
}

/** `lifeboat run` arguments of the in-process controller (printed, so what runs is visible). */
function controllerArgs(o: {
  kubeconfig: string;
  backupLocation: string;
  insecure: readonly string[];
  excluded: string;
  rewriteMode: 'workloads' | 'pods';
  /** pods mode: the loopback port the Pod webhook serves on and the API server calls. */
  webhookPort: number;
}): string[] {
  return [
    `--rewrite-mode=${o.rewriteMode}`,
    ...(o.rewriteMode === 'pods'
      ? [`--webhook-addr=127.0.0.1:${o.webhookPort}`, `--webhook-url=https://127.0.0.1:${o.webhookPort}`]
      : []),
    `--kubeconfig=${o.kubeconfig}`,
    `--backup-registry=${o.backupLocation}`,
    `--insecure-registries=${o.insecure.join(',')}`,
    '--backup-push-secret=lifeboat-system/backup-push',
    '--backup-pull-secret=lifeboat-system/backup-pull',
    `--exclude-namespaces=${o.excluded}`,
    '--install-crds',
    '--no-leader-elect',
    '--metrics-addr=127.0.0.1:0',
    // The demo backs up a private image (billing) for the namespace holding its credentials and
    // shows BackupAccessDenied elsewhere: `shared` mode's behaviour.
    '--private-images=shared',
  ];
}

async function runDev(options: DevConfig): Promise<void> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const out = process.stdout;
  const say = (line: string): void => void out.write(`${line}\n`);
  // Ctrl-C at any point (even during start-up) ends the steps below, then everything is torn down.
  let stopRequested = false;
  let wake = (): void => undefined;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  const stopListening = onShutdownSignal(
    () => {
      stopRequested = true;
      wake();
    },
    { timeoutMs: Infinity },
  );
  const teardown: (() => Promise<void> | void)[] = [];
  // Held open until a signal: the servers are unref'd children.
  const keepAlive = setInterval(() => undefined, 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-dev-'));
  // Also on a forced exit (second Ctrl-C): devenv removes its own dirs the same way.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  teardown.push(removeDir);
  try {
    // Loaded lazily: the other commands must not pay for the embedded environment.
    const [devenv, kube, managerModule, run, demoModule, viewModule, liveView, shell, logging, guard] =
      await Promise.all([
        import('../devenv/index.ts'),
        import('../kube/index.ts'),
        import('../controllers/manager.ts'),
        import('./run.ts'),
        import('./dev/demo.ts'),
        import('./dev/view-model.ts'),
        import('./dev/live-view.ts'),
        import('./dev/shell-setup.ts'),
        import('./logging.ts'),
        import('./shutdown-guard.ts'),
      ]);
    const { IMAGE_BACKUPS } = await import('../controllers/api/image-backup-resource.ts');
    const { WORKLOAD_RESOURCES } = await import('../controllers/api/workload-resources.ts');
    say('lifeboat dev: locating the pinned binaries (a cold cache compiles them: minutes)…');
    const bin = devenv.toolsBin();
    if (stopRequested) return;
    say(
      `lifeboat dev: starting etcd, kube-apiserver, controller-manager, scheduler, kwok (${options.nodes} nodes)…`,
    );
    const cluster = await devenv.startControlPlane({ nodes: options.nodes });
    teardown.push(() => cluster.stop());
    if (stopRequested) return;
    say('lifeboat dev: starting the registries (public source, private source, token-auth backup)…');
    const registries = await Promise.all([
      devenv.startRegistry({ auth: 'none' }),
      devenv.startRegistry({ auth: 'htpasswd' }),
      devenv.startRegistry({ auth: 'token' }),
    ]);
    for (const r of registries) teardown.push(() => r.stop());
    const [source, privateSource, backup] = registries;
    const demoRegistries = { source, privateSource, backup };
    if (stopRequested) return;
    let demo: { eligible: readonly string[]; excluded: readonly string[] } = { eligible: [], excluded: [] };
    if (options.demoImages) {
      say('lifeboat dev: pushing demo images with crane, creating demo workloads…');
      const images = await demoModule.pushDemoImages(demoRegistries, devenv);
      demo = await demoModule.createDemo(cluster, demoRegistries, images);
    }
    if (stopRequested) return;

    const logFile = join(dir, 'controller.log');
    const logStream = createWriteStream(logFile);
    teardown.push(() => new Promise<void>((resolve) => logStream.end(resolve)));
    const logger = logging.createProcessLogger({ format: 'text', level: 'info', out: logStream });
    const backupLocation = `${backup.host}/lifeboat`;
    const args = controllerArgs({
      kubeconfig: cluster.kubeconfigPath,
      backupLocation,
      insecure: registries.map((r) => r.host),
      excluded: demoModule.EXCLUDED_NAMESPACE,
      rewriteMode: options.rewriteMode,
      webhookPort: options.rewriteMode === 'pods' ? await devenv.freePort() : 0,
    });
    const runCommand = addFlags(new Command('run'), RUN_FLAGS).parse(args, { from: 'user' });
    // No environment: LIFEBOAT_* variables of this shell configure `lifeboat run`, not the demo.
    const config = readConfig(runCommand, RUN_FLAGS, {});
    const api = kube.createKubeApi({
      kubeConfig: kube.loadKubeConfig(cluster.kubeconfigPath),
      qps: config.kubeApiQps,
      burst: config.kubeApiBurst,
      logger,
    });
    teardown.push(() => api.close());
    say('lifeboat dev: starting the controller in this process…');
    const manager = await managerModule.startManager(
      run.managerOptions(config, { api, logger, identity: 'lifeboat-dev', caPems: [] }),
    );
    teardown.push(async () => {
      guard.absorbDestroyedStreams(logger);
      await manager.stop();
    });

    const { envFile } = shell.writeShellSetup({
      dir,
      kubeconfig: cluster.kubeconfigPath,
      toolsBin: bin,
      dockerConfig: demoModule.dockerConfigJson({
        [backup.host]: [backup.username!, backup.password!],
        [privateSource.host]: [privateSource.username!, privateSource.password!],
      }),
      variables: { SOURCE_REGISTRY: source.host, BACKUP_REGISTRY: backup.host },
    });
    const insecure = registries.map((r) => r.host).join(',');
    const tempDirs = [dir, dirname(cluster.kubeconfigPath), ...registries.map((r) => dirname(r.dataDir))];
    say(
      [
        '',
        `lifeboat dev is up in ${elapsed().toFixed(1)}s`,
        `  KUBECONFIG=${cluster.kubeconfigPath}`,
        `  kubectl: ${join(bin, 'kubectl')}`,
        '',
        '  In a new shell, run this one line first:',
        `    source ${envFile}`,
        '  then try:',
        '    kubectl get imagebackups',
        '    kubectl get deploy,ds,sts,cronjob -A',
        `    lifeboat status --backup-registry ${backupLocation} --exclude-namespaces ${demoModule.EXCLUDED_NAMESPACE}`,
        `    lifeboat copy --insecure-registries ${insecure} $SOURCE_REGISTRY/library/redis:7 $BACKUP_REGISTRY/manual/redis:7`,
        '    crane catalog --insecure $BACKUP_REGISTRY',
        '',
        `  API server:        ${cluster.server}`,
        `  source registry:   ${source.url}  (public: no auth)`,
        `  private registry:  ${privateSource.url}  (htpasswd)`,
        `  backup registry:   ${backup.url}  (token auth: ${backup.username} may push, ${backup.readerUsername} may only pull; token server ${backup.tokenRealm})`,
        `  controller:        lifeboat run ${args.join(' ')}`,
        `  health, metrics:   http://${manager.address}/metrics`,
        `  controller log:    ${logFile}`,
        `  temp dirs:         ${tempDirs.join(' ')}`,
        '',
        'Ctrl-C stops every process and removes the temp dirs.',
        '',
      ].join('\n'),
    );

    const excluded = excludedNamespaces(config);
    const kinds = Object.keys(WORKLOAD_RESOURCES) as (keyof typeof WORKLOAD_RESOURCES)[];
    const workloadInformers = kinds.map((kind) => ({
      kind,
      informer: manager.informers.informerFor<Workload & KubeObject>(WORKLOAD_RESOURCES[kind]),
    }));
    const backups = manager.informers.informerFor<ImageBackup & KubeObject>(IMAGE_BACKUPS);
    const namespaces = manager.informers.informerFor<NamespaceObject>(kube.RESOURCES.namespaces);
    const view = liveView.startLiveView({
      out,
      tty: out.isTTY,
      elapsed,
      expectedEligible: demo.eligible.length,
      compute: () =>
        viewModule.devView(
          workloadInformers.flatMap(({ kind, informer }) =>
            informer.list().map((workload) => ({ kind, workload })),
          ),
          backups.list(),
          {
            eligibility: {
              excludedNamespaces: excluded,
              namespaceSelector: config.namespaceSelector,
              mapping: backupMappingOf(config),
              excludeImages: config.excludeImages,
              sourceRegistries: config.sourceRegistries,
              requireReady: config.requireReady,
            },
            namespaces,
            pinDigest: config.pinDigest,
            privateImages: config.privateImages,
            rewriteMode: config.rewriteMode,
          },
        ),
    });
    teardown.push(() => view.stop());
    const changed = {
      onAdd: () => view.changed(),
      onUpdate: () => view.changed(),
      onDelete: () => view.changed(),
    };
    for (const { informer } of workloadInformers) informer.addHandlers(changed);
    backups.addHandlers(changed);
    view.changed();
    await stopSignal;
  } catch (err) {
    // One line, no stack: the logs of the servers are in the temp dirs named above.
    reportError(messageOf(err));
  } finally {
    if (stopRequested) say('lifeboat dev: stopping…');
    for (const step of teardown.reverse()) {
      try {
        await step();
      } catch (err) {
        reportError(`while stopping: ${messageOf(err)}`);
      }
    }
    process.off('exit', removeDir);
    clearInterval(keepAlive);
    stopListening();
    say('lifeboat dev: stopped; every process ended and every temp dir removed.');
  }
}
