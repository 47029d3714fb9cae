// The API client of a one-shot command (`uninstall`, `restore`), or one line saying why there is none.
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/index.ts';

/** The connection flags (`--kubeconfig`, `--kube-api-qps`, `--kube-api-burst`) as read. */
export interface ConnectionConfig {
  readonly kubeconfig: string | undefined;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
}

/** Undefined after printing `lifeboat <command>: <reason>` to stderr and setting exit code 1. */
export async function connectOrReport(
  command: string,
  config: ConnectionConfig,
  logger: Logger,
): Promise<KubeApi | undefined> {
  // Loaded here, as the commands load their dependencies: other commands do not pay for it.
  const kube = await import('../kube/index.ts');
  try {
    return kube.createKubeApi({
      kubeConfig: kube.loadKubeConfig(config.kubeconfig),
      qps: config.kubeApiQps,
      burst: config.kubeApiBurst,
      logger,
    });
  } catch (err) {
    process.stderr.write(`lifeboat ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
