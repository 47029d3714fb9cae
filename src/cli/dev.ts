// `lifeboat dev`: the embedded default environment (src/devenv), the same code and pinned binaries
// the integration tests run: a real control plane with kwok nodes, a "public" source registry
// with demo images, and an auth-protected backup registry. The controller is not part of it yet;
// this command says so instead of pretending.
import { Command } from 'commander';
import { onShutdownSignal } from '../common/shutdown-signal.ts';
import { addFlags, readConfigOrReport } from './config/commander.ts';
import { DEV_FLAGS } from './config/dev-flags.ts';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const DEMO_IMAGES = [
  { repo: 'library/nginx:1.25', platforms: ['linux/amd64', 'linux/arm64'] },
  { repo: 'library/redis:7', platforms: ['linux/amd64'] },
  { repo: 'acme/api:v1.4.2', platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] },
] as const;

export function devCommand(): Command {
  const command = new Command('dev').description(
    'Start the embedded environment: control plane, source and backup registries, demo images',
  );
  addFlags(command, DEV_FLAGS);
  return command.action(async (_flags: unknown, cmd: Command) => {
    const options = readConfigOrReport(cmd, DEV_FLAGS, 1);
    if (options) await runDev(options);
  });
}

async function runDev(options: { nodes: number; demoImages: boolean }): Promise<void> {
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  // Loaded lazily: the other commands must not pay for loading the embedded environment.
  const env = await import('../devenv/index.ts');
  say('lifeboat dev: building/locating the pinned binaries (first run compiles them: minutes)…');
  const bin = env.toolsBin();
  const stops: (() => Promise<void>)[] = [];
  let stopListening = (): void => undefined;
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    say(
      `lifeboat dev: starting etcd, kube-apiserver, controller-manager, scheduler, kwok (${options.nodes} nodes)…`,
    );
    const cluster = await env.startControlPlane({ nodes: options.nodes });
    stops.push(() => cluster.stop());
    const source = await env.startRegistry({ auth: 'none' });
    stops.push(() => source.stop());
    const backup = await env.startRegistry({ auth: 'htpasswd' });
    stops.push(() => backup.stop());
    const pushed: string[] = [];
    if (options.demoImages) {
      for (const image of DEMO_IMAGES) {
        const index = await env.pushIndex(source, image.repo, {
          layers: 2,
          layerSize: 256 * 1024,
          platforms: image.platforms,
          mediaTypes: 'oci',
        });
        pushed.push(`${index.ref}@${index.digest}`);
      }
    }
    const envFile = join(tmpdir(), `lifeboat-dev-${process.pid}.env`);
    writeFileSync(
      envFile,
      [
        `export KUBECONFIG=${cluster.kubeconfigPath}`,
        `export PATH=${bin}:$PATH`,
        `export LIFEBOAT_SOURCE_REGISTRY=${source.host}`,
        `export LIFEBOAT_BACKUP_REGISTRY=${backup.host}`,
      ].join('\n') + '\n',
    );
    stops.push(() => Promise.resolve(rmSync(envFile, { force: true })));
    process.stdout.write(
      [
        '',
        'lifeboat dev environment is up',
        `  KUBECONFIG=${cluster.kubeconfigPath}`,
        `  kubectl:          ${bin}/kubectl  (the env file below puts it on PATH)`,
        `  API server:       ${cluster.server}`,
        `  source registry:  ${source.url}  (no auth, plain HTTP)`,
        `  backup registry:  ${backup.url}  (htpasswd auth)`,
        `  backup login:     ${backup.username ?? ''}:${backup.password ?? ''}  (fixed test-only credentials of this throwaway registry)`,
        ...pushed.map((ref) => `  demo image:       ${ref}`),
        `  shell setup:      source ${envFile} && kubectl get nodes`,
        '',
        `  try: lifeboat copy --insecure-registries 127.0.0.1 --dst-creds ${backup.username ?? ''}:${backup.password ?? ''} ` +
          `${source.host}/library/nginx:1.25 ${backup.host}/lifeboat/nginx:1.25`,
        '',
        'The controller (workload rewriting, pull secrets) is not part of this build yet: nothing is',
        'copied or rewritten automatically. Press Ctrl-C to stop and remove everything.',
        '',
      ].join('\n'),
    );
    // The servers are unref'd children (so test runs can end): hold the loop open until a signal.
    const keepAlive = setInterval(() => undefined, 60_000);
    // The first signal tears the environment down; a second, while that runs, exits at once.
    await new Promise<void>((resolve) => {
      stopListening = onShutdownSignal(resolve, { timeoutMs: Infinity });
    });
    clearInterval(keepAlive);
    say('lifeboat dev: stopping…');
  } finally {
    await stopAll();
    stopListening();
  }
}
