// The API client of a command that talks to the cluster, or one line saying why there is none.
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/index.ts';
import { messageOf, reportError } from './exit.ts';

/** The connection flags (`--kubeconfig`, `--context`, `--kube-api-qps`, `--kube-api-burst`) as read. */
export interface ConnectionConfig {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
}

/**
 * Undefined after `lifeboat: error: <reason>` on stderr (exit 1): a kubeconfig that cannot be read
 * or has no such context is named in one line, never a stack.
 */
export async function connectOrReport(
  config: ConnectionConfig,
  logger: Logger,
): Promise<KubeApi | undefined> {
  // Loaded here, as the commands load their dependencies: other commands do not pay for it.
  const kube = await import('../kube/index.ts');
  try {
    return kube.createKubeApi({
      kubeConfig: kube.loadKubeConfig(config.kubeconfig, process.env, config.context),
      qps: config.kubeApiQps,
      burst: config.kubeApiBurst,
      logger,
    });
  } catch (err) {
    reportError(messageOf(err));
    return undefined;
  }
}
