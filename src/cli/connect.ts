// The API client of a one-shot command (`uninstall`, `restore`), or one line saying why there is none.
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/index.ts';

/** Undefined after printing `lifeboat <command>: <reason>` to stderr and setting exit code 1. */
export async function connectOrReport(
  command: string,
  kubeconfig: string | undefined,
  logger: Logger,
): Promise<KubeApi | undefined> {
  // Loaded here, as the commands load their dependencies: other commands do not pay for it.
  const kube = await import('../kube/index.ts');
  try {
    return kube.createKubeApi({ kubeConfig: kube.loadKubeConfig(kubeconfig), logger });
  } catch (err) {
    process.stderr.write(`lifeboat ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
