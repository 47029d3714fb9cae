// charts/lifeboat rendered by the pinned helm (tools/build.sh), and deploy/ as that rendering with
// the chart's default values: `npm run deploy:render` writes deploy/, test/charts/deploy.test.ts
// fails when the committed files differ. The chart's templates write JSON (which is YAML), so the
// output is read with JSON.parse and no YAML parser is needed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { toolPath } from '../src/devenv/index.ts';

export const CHART_DIR = fileURLToPath(new URL('../charts/lifeboat/', import.meta.url));
export const DEPLOY_DIR = fileURLToPath(new URL('../deploy/', import.meta.url));
export const CHART_CRD_FILE = join(CHART_DIR, 'files/crds/imagebackups.lifeboat.dev.json');

/** The release deploy/ stands for: `helm install lifeboat charts/lifeboat -n lifeboat-system`. */
export const DEPLOY_RELEASE = { release: 'lifeboat', namespace: 'lifeboat-system' } as const;

/**
 * The values deploy/ is rendered with: the chart's defaults, its Namespace (deploy/ stands alone),
 * no CRD (deploy/crd/ holds it, for `kubectl apply -f deploy/crd/` on its own) and placeholders for
 * the two values the chart has no default for (deploy/README.md says to set them: the image through
 * a kustomize overlay's `images`, the registry through a patch of the arguments).
 */
export const DEPLOY_VALUES = {
  createNamespace: true,
  crds: { install: false },
  image: { repository: 'registry.example.com/lifeboat/lifeboat' },
  backup: { registry: 'registry.example.com/backups' },
} as const;

/** The dashboard: the chart's copy is the one edited; deploy/grafana/ gets it from `npm run deploy:render`. */
export const CHART_DASHBOARD_FILE = join(CHART_DIR, 'files/grafana/lifeboat.json');
export const DEPLOY_DASHBOARD_FILE = join(DEPLOY_DIR, 'grafana/lifeboat.json');
export const DEPLOY_KUSTOMIZATION = 'kustomization.yaml';

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

export interface RenderOptions {
  readonly release: string;
  readonly namespace: string;
  /** Values given as one values file (`-f`), over the chart's defaults. */
  readonly values?: Record<string, unknown>;
  /** Values files (`-f`), given before `values`. */
  readonly valuesFiles?: readonly string[];
}

/** Runs helm with `args`; throws with helm's stderr when it fails. */
export function helm(args: readonly string[]): string {
  try {
    return execFileSync(toolPath('helm'), args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // helm must not read or write the user's own configuration.
      env: { PATH: process.env.PATH, HOME: tmpdir(), HELM_CONFIG_HOME: tmpdir(), HELM_CACHE_HOME: tmpdir() },
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`helm ${args.join(' ')} failed: ${stderr.trim() || (err as Error).message}`, {
      cause: err,
    });
  }
}

/** `helm template` of charts/lifeboat, each document parsed (helm's `# Source:` comment lines dropped). */
export function renderChart(options: RenderOptions): RenderedObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-chart-'));
  try {
    const files = [...(options.valuesFiles ?? [])];
    if (options.values !== undefined) {
      files.push(join(dir, 'values.json'));
      writeFileSync(files.at(-1)!, JSON.stringify(options.values));
    }
    const text = helm([
      'template',
      options.release,
      CHART_DIR,
      `--namespace=${options.namespace}`,
      ...files.map((f) => `--values=${f}`),
    ]);
    return parseRendered(text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseRendered(text: string): RenderedObject[] {
  return text
    .split(/^---$/m)
    .map((doc) =>
      doc
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n')
        .trim(),
    )
    .filter((doc) => doc !== '')
    .map((doc) => {
      try {
        return JSON.parse(doc) as RenderedObject;
      } catch (err) {
        throw new Error(
          `a template of charts/lifeboat did not render JSON: ${(err as Error).message}\n${doc}`,
          { cause: err },
        );
      }
    });
}

/** deploy/'s file of each kind, in the order they must be created (kustomization.yaml lists them so). */
const DEPLOY_FILES: Readonly<Record<string, string>> = {
  Namespace: '00-namespace.json',
  ServiceAccount: '01-serviceaccount.json',
  ClusterRole: '02-clusterrole.json',
  ClusterRoleBinding: '03-clusterrolebinding.json',
  Role: '04-role-leader-election.json',
  RoleBinding: '05-rolebinding-leader-election.json',
  Deployment: '06-deployment.json',
  PodDisruptionBudget: '07-poddisruptionbudget.json',
  Service: '08-service.json',
};

/** deploy/'s top-level files: file name → content, formatted as prettier formats the repository. */
export async function deployFiles(): Promise<Map<string, string>> {
  const objects = renderChart({ ...DEPLOY_RELEASE, values: DEPLOY_VALUES });
  const options = { ...(await resolveConfig(join(DEPLOY_DIR, 'x.json'))), parser: 'json' };
  const files = new Map<string, string>();
  for (const object of objects) {
    const file = DEPLOY_FILES[object.kind];
    if (file === undefined || files.has(file)) {
      throw new Error(
        `deploy/ has no file for a ${object.kind} (${object.metadata.name}): add one to DEPLOY_FILES`,
      );
    }
    files.set(file, await format(JSON.stringify(object), options));
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * deploy/kustomization.yaml: every manifest (the CRD first), so that `kubectl apply -k deploy/`
 * installs it all and an overlay can take deploy/ as its base and set the image (`images:`) without
 * editing a generated file. Written by `npm run deploy:render`; the chart test fails when it is stale.
 */
export function deployKustomization(manifests: readonly string[]): string {
  return [
    '# Generated by `npm run deploy:render` (scripts/chart.ts): do not edit. Use it as the base of an',
    '# overlay to set the image and arguments (deploy/README.md).',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...['crd/imagebackups.lifeboat.dev.json', ...manifests].map((file) => `  - ${file}`),
    '',
  ].join('\n');
}
