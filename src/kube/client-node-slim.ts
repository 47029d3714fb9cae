// lifeboat uses @kubernetes/client-node for one thing: KubeConfig (loading kubeconfigs and refreshing
// their auth; api-client.ts sends every request itself). But client-node's KubeConfig module
// (dist/config.js) imports its generated API client (dist/gen/index.js: 61 MB of JavaScript, about
// 75 MB of RSS once loaded) for two names only `makeApiClient` uses, which lifeboat never calls.
// The CLI entry registers this resolve hook before anything loads client-node, so that one import
// is served by gen's two small modules that define those names (client-node-gen-slim.ts).
//
// Invariants: only the import of `./gen/index.js` by client-node's own `dist/config.js` is
// redirected; everything else resolves as usual. If a client-node release imports another name
// there, the load fails at start ("does not provide an export named …"), never later, and every
// e2e test (each starts the CLI) says so.
import { registerHooks } from 'node:module';

const SLIM_GEN = new URL('./client-node-gen-slim.ts', import.meta.url).href;

/** The URL to load instead of `specifier` imported from `parentURL`; undefined: resolve as usual. Pure. */
export function slimClientNodeImport(specifier: string, parentURL: string | undefined): string | undefined {
  if (specifier !== './gen/index.js' || parentURL === undefined) return undefined;
  return parentURL.endsWith('/node_modules/@kubernetes/client-node/dist/config.js') ? SLIM_GEN : undefined;
}

let registered = false;

/** Registers the hook for this process (once; later calls do nothing). */
export function registerClientNodeSlimming(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = slimClientNodeImport(specifier, context.parentURL);
      return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
    },
  });
}
