// Readers of charts/lifeboat's rendered objects, shared by the chart's tests.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { addFlags, readConfig } from '../../src/cli/config/commander.ts';
import { RUN_FLAGS, type RunConfig } from '../../src/cli/config/run-flags.ts';
import type { RenderedObject } from '../../scripts/chart.ts';

/** A values file that sets every value of the chart, each away from its default. */
/** The two values an install cannot work without (the chart refuses to render without them). */
export const REQUIRED_VALUES = {
  image: { repository: 'r.example/lifeboat' },
  backup: { registry: 'r.example/backups' },
} as const;

export const EVERY_VALUE_FILE = fileURLToPath(new URL('every-value.json', import.meta.url));

export interface PodSpec {
  serviceAccountName: string;
  containers: {
    name: string;
    image: string;
    args: string[];
    ports: { name: string; containerPort: number }[];
    volumeMounts: { name: string; mountPath: string }[];
    [field: string]: unknown;
  }[];
  volumes: { name: string; configMap?: { name: string } }[];
  [field: string]: unknown;
}

export interface Deployment extends RenderedObject {
  spec: { replicas: number; template: { metadata: Record<string, unknown>; spec: PodSpec } };
}

/** The one object of `kind` in `objects`. */
export function objectOf<T = RenderedObject>(objects: readonly RenderedObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind} rendered`);
  return found[0] as T;
}

/** The controller container's arguments (`run` first). */
export function controllerArgs(objects: readonly RenderedObject[]): string[] {
  const containers = objectOf<Deployment>(objects, 'Deployment').spec.template.spec.containers;
  assert.equal(containers.length, 1);
  return containers[0]!.args;
}

/** `lifeboat run`'s configuration from its arguments (without `run`), as the real command reads them. */
export function parseRunArgs(args: readonly string[]): RunConfig {
  const command = addFlags(
    new Command('run').exitOverride().configureOutput({ writeErr: () => {} }),
    RUN_FLAGS,
  );
  command.parse([...args], { from: 'user' });
  return readConfig(command, RUN_FLAGS, {});
}
