import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { KubeConfigError } from './api-client-errors.ts';

/** Where to look for the environment variables; tests pass their own object instead of mutating process.env. */
export interface KubeConfigEnv {
  KUBECONFIG?: string | undefined;
  KUBERNETES_SERVICE_HOST?: string | undefined;
  HOME?: string | undefined;
}

/**
 * Loads the kubeconfig the way kubectl and client-go do, minus client-node's silent fallback:
 * 1. `path`, when given;
 * 2. `$KUBECONFIG` (a list of files separated by the platform delimiter, merged; the first file's
 *    current-context wins, as in kubectl);
 * 3. the in-cluster service account, when `KUBERNETES_SERVICE_HOST` is set;
 * 4. `~/.kube/config`, when it exists;
 * 5. otherwise a `KubeConfigError` that says what was tried. `loadFromDefault()` would instead talk
 *    to http://localhost:8080 and fail much later with a connection error that names nothing.
 *
 * `context`, when given, replaces the current-context, as kubectl's `--context`.
 * The result always has a current context with a cluster that has a server URL.
 */
export function loadKubeConfig(
  path?: string,
  env: KubeConfigEnv = process.env,
  context?: string,
): KubeConfig {
  if (path !== undefined && path !== '') return fromFiles([path], path, context);
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (list.length > 0) return fromFiles(list, 'KUBECONFIG', context);
  if (env.KUBERNETES_SERVICE_HOST) {
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster();
    } catch (err) {
      throw new KubeConfigError('loading the in-cluster service account config', {
        source: 'in-cluster',
        cause: err,
      });
    }
    if (context !== undefined) kc.currentContext = context;
    return validated(kc, 'in-cluster');
  }
  const home = env.HOME ?? homedir();
  const homeConfig = join(home, '.kube', 'config');
  if (existsSync(homeConfig)) return fromFiles([homeConfig], homeConfig, context);
  throw new KubeConfigError(
    `no kubeconfig: pass --kubeconfig, set KUBECONFIG, run in a cluster, or create ${homeConfig}`,
  );
}

function fromFiles(files: string[], source: string, context: string | undefined): KubeConfig {
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw loadFailure(file, source, err);
    }
    // kubectl's merge rule: the first file that sets a name (or the current-context) wins.
    if (!merged.currentContext && kc.currentContext) merged.currentContext = kc.currentContext;
    for (const c of kc.clusters) if (merged.getCluster(c.name) === null) merged.clusters.push(c);
    for (const u of kc.users) if (merged.getUser(u.name) === null) merged.users.push(u);
    for (const x of kc.contexts) if (merged.getContextObject(x.name) === null) merged.contexts.push(x);
  }
  if (context !== undefined) merged.currentContext = context;
  return validated(merged, source);
}

/**
 * The error for a kubeconfig that cannot be read. A YAML parser's message quotes the lines around
 * the fault, which may hold a token or a key: only its reason and position are kept, never the
 * exception itself. File-system errors (ENOENT, EACCES) name only the path and stay as the cause.
 */
function loadFailure(file: string, source: string, err: unknown): KubeConfigError {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
    return new KubeConfigError(`reading kubeconfig ${file}`, { source, cause: err });
  }
  const yaml = err as { reason?: unknown; mark?: { line?: unknown; column?: unknown } } | undefined;
  const where =
    typeof yaml?.mark?.line === 'number' && typeof yaml.mark.column === 'number'
      ? ` at line ${yaml.mark.line + 1}, column ${yaml.mark.column + 1}`
      : '';
  const reason = typeof yaml?.reason === 'string' ? yaml.reason : 'not a valid kubeconfig';
  return new KubeConfigError(`reading kubeconfig ${file}: ${reason}${where}`, { source });
}

function validated(kc: KubeConfig, source: string): KubeConfig {
  const context = kc.getCurrentContext();
  if (!context || kc.getContextObject(context) === null) {
    const named = context ? ` (it names ${JSON.stringify(context)}, which it does not define)` : '';
    throw new KubeConfigError(`kubeconfig from ${source} has no usable current-context${named}`, { source });
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null || !cluster.server) {
    throw new KubeConfigError(`kubeconfig from ${source}: context ${context} has no cluster server`, {
      source,
    });
  }
  return kc;
}
