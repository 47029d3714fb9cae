import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/** The version of this package, from package.json next to the sources (as `lifeboat version`). */
function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/**
 * `lifeboat_build_info{version,node} 1`, the Prometheus convention for what is running: join on it
 * to see which replicas run which release (node: the Node.js version, `process.version`).
 */
export function registerBuildInfo(registry: Registry, version = packageVersion()): void {
  new Gauge({
    name: 'lifeboat_build_info',
    help: 'Always 1; labels: the lifeboat version and the Node.js version (node) this process runs',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version, node: process.version }, 1);
}
