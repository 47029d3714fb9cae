// charts/lifeboat follows the Helm community's conventions (issue 18): standard labels, the
// serviceAccount/rbac/nameOverride switches, a PodDisruptionBudget only when it cannot block a
// drain, no placeholder for a value the install cannot work without, a schema that takes `global`
// and requires no key (so `helm upgrade --reuse-values` from 0.1.0 renders), the monitoring objects
// behind their switches, and deploy/kustomization.yaml as a base an overlay sets the image on.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { toolPath } from '../../src/devenv/index.ts';
import {
  CHART_DASHBOARD_FILE,
  CHART_DIR,
  DEPLOY_DASHBOARD_FILE,
  DEPLOY_DIR,
  DEPLOY_KUSTOMIZATION,
  DEPLOY_VALUES,
  deployFiles,
  deployKustomization,
  helm,
  parseRendered,
  renderChart,
  type RenderedObject,
} from '../../scripts/chart.ts';
import { controllerArgs, objectOf, type Deployment, REQUIRED_VALUES } from './rendered.ts';

const RELEASE = { release: 'fleet', namespace: 'boats' } as const;
const REQUIRED = REQUIRED_VALUES;
const OLD_VALUES = new URL('values-0.1.0.yaml', import.meta.url).pathname;

type Labelled = RenderedObject & {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
};
const render = (values: Record<string, unknown> = {}): Labelled[] =>
  renderChart({ ...RELEASE, values: { ...REQUIRED, ...values } });
const kinds = (objects: readonly RenderedObject[]): string[] => objects.map((o) => o.kind).sort();
const has = (objects: readonly RenderedObject[], kind: string): boolean =>
  objects.some((o) => o.kind === kind);

describe('charts/lifeboat conventions', () => {
  it('labels every object with helm.sh/chart and the app.kubernetes.io set', () => {
    const everything = render({
      metrics: {
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true },
        grafanaDashboard: { enabled: true },
      },
      createNamespace: true,
    });
    assert.equal(everything.length, 13, kinds(everything).join(' '));
    for (const o of everything) {
      assert.deepEqual(
        {
          chart: o.metadata.labels?.['helm.sh/chart'],
          name: o.metadata.labels?.['app.kubernetes.io/name'],
          instance: o.metadata.labels?.['app.kubernetes.io/instance'],
          version: o.metadata.labels?.['app.kubernetes.io/version'],
          managedBy: o.metadata.labels?.['app.kubernetes.io/managed-by'],
        },
        { chart: 'lifeboat-0.1.0', name: 'lifeboat', instance: 'fleet', version: '0.1.0', managedBy: 'Helm' },
        `${o.kind} ${o.metadata.name}`,
      );
    }
  });

  it('fails at once, naming the value, without the image or the backup registry', () => {
    assert.throws(
      () => renderChart({ ...RELEASE, values: { backup: REQUIRED.backup } }),
      /image\.repository is required/,
    );
    assert.throws(
      () => renderChart({ ...RELEASE, values: { image: REQUIRED.image } }),
      /backup\.registry is required/,
    );
  });

  it('runs image.digest by digest alone', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const deployment = objectOf<Deployment>(render({ image: { ...REQUIRED.image, digest } }), 'Deployment');
    assert.equal(deployment.spec.template.spec.containers[0]!.image, `r.example/lifeboat@${digest}`);
    const tagged = objectOf<Deployment>(render(), 'Deployment');
    assert.equal(tagged.spec.template.spec.containers[0]!.image, 'r.example/lifeboat:0.1.0', 'appVersion');
  });

  it('renders a PodDisruptionBudget only with more than one replica (one replica: it would block drains)', () => {
    assert.ok(has(render(), 'PodDisruptionBudget'), 'two replicas by default');
    assert.ok(!has(render({ replicaCount: 1 }), 'PodDisruptionBudget'));
    assert.ok(!has(render({ replicas: 1 }), 'PodDisruptionBudget'), 'the deprecated alias too');
    assert.equal(objectOf<Deployment>(render({ replicaCount: 1 }), 'Deployment').spec.replicas, 1);
    assert.equal(objectOf<Deployment>(render({ replicas: 3 }), 'Deployment').spec.replicas, 3);
  });

  it('runs as an existing ServiceAccount with serviceAccount.create=false, and grants nothing with rbac.create=false', () => {
    const existing = render({ serviceAccount: { create: false, name: 'ours' } });
    assert.ok(!has(existing, 'ServiceAccount'));
    assert.equal(objectOf<Deployment>(existing, 'Deployment').spec.template.spec.serviceAccountName, 'ours');
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const binding = objectOf<{ subjects: { name: string }[] }>(existing, kind);
      assert.deepEqual(
        binding.subjects.map((s) => s.name),
        ['ours'],
        kind,
      );
    }
    const noRbac = render({ rbac: { create: false } });
    assert.deepEqual(
      kinds(noRbac).filter((k) => /Role/.test(k)),
      [],
    );
    assert.ok(has(noRbac, 'ServiceAccount'));
  });

  it('names objects after nameOverride, and lets podLabels add to (never replace) the selector labels', () => {
    const objects = render({
      nameOverride: 'vessel',
      podLabels: { team: 'infra', 'app.kubernetes.io/name': 'x' },
    });
    const deployment = objectOf<Deployment>(objects, 'Deployment');
    assert.equal(deployment.metadata.name, 'fleet-vessel');
    const labels = deployment.spec.template.metadata['labels'] as Record<string, string>;
    assert.equal(labels['team'], 'infra');
    assert.equal(labels['app.kubernetes.io/name'], 'vessel', 'the selector keeps matching the pods');
  });

  it('passes extraArgs last and extraEnv as the container env', () => {
    const objects = render({
      extraArgs: ['--future-flag=1'],
      extraEnv: [{ name: 'HTTPS_PROXY', value: 'p' }],
    });
    assert.equal(controllerArgs(objects).at(-1), '--future-flag=1');
    const container = objectOf<Deployment>(objects, 'Deployment').spec.template.spec.containers[0]!;
    assert.deepEqual(container['env'], [{ name: 'HTTPS_PROXY', value: 'p' }]);
  });

  it('installs the CRD unless crds.install=false, and keeps it when the release is uninstalled', () => {
    const crd = objectOf<Labelled>(render(), 'CustomResourceDefinition');
    assert.equal(crd.metadata.name, 'imagebackups.lifeboat.dev');
    assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    assert.ok(!has(render({ crds: { install: false } }), 'CustomResourceDefinition'));
  });

  it('accepts `global` (as a subchart) and requires no key in values.schema.json', () => {
    assert.ok(has(render({ global: { imageRegistry: 'x', anything: { nested: true } } }), 'Deployment'));
    const schema = readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8');
    const required: string[] = [];
    JSON.parse(schema, function (key, value: unknown) {
      // An env entry's name is required by the Kubernetes API itself, not by an upgrade's values.
      if (
        key === 'required' &&
        this !== undefined &&
        !('name' in ((this as { properties?: object }).properties ?? {}))
      )
        required.push(JSON.stringify(value));
      return value;
    });
    assert.deepEqual(required, []);
  });

  it('renders an upgrade with --reuse-values from 0.1.0 (Helm then uses 0.1.0 values, lacking every new key)', () => {
    // What Helm does: the new templates with the old chart's values as the chart's values.
    const chart = mkdtempSync(join(tmpdir(), 'lifeboat-chart-0.1.0-values-'));
    try {
      cpSync(CHART_DIR, chart, { recursive: true });
      cpSync(OLD_VALUES, join(chart, 'values.yaml'));
      const objects = parseRendered(
        helm(['template', RELEASE.release, chart, `--namespace=${RELEASE.namespace}`]),
      );
      const deployment = objectOf<Deployment>(objects, 'Deployment');
      assert.equal(deployment.spec.replicas, 2);
      assert.equal(deployment.spec.template.spec.serviceAccountName, 'fleet-lifeboat');
      assert.deepEqual(kinds(objects), kinds(render()));
    } finally {
      rmSync(chart, { recursive: true, force: true });
    }
  });

  it('renders the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap only when enabled', () => {
    const defaults = render();
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'ConfigMap'])
      assert.ok(!has(defaults, kind), kind);
    const objects = render({
      metrics: {
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true },
        grafanaDashboard: { enabled: true },
      },
    });
    const service = objectOf<Labelled & { spec: { ports: { name: string }[] } }>(objects, 'Service');
    const monitor = objectOf<{
      spec: {
        selector: { matchLabels: Record<string, string> };
        namespaceSelector: { matchNames: string[] };
        endpoints: { port: string; path: string }[];
      };
    }>(objects, 'ServiceMonitor');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels))
      assert.equal(service.metadata.labels?.[k], v, `the ServiceMonitor selects the metrics Service (${k})`);
    assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [RELEASE.namespace]);
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'metrics', path: '/metrics' }]);
    assert.ok(service.spec.ports.some((p) => p.name === 'metrics'));
    const dashboard = objectOf<Labelled & { data: Record<string, string> }>(objects, 'ConfigMap');
    assert.equal(dashboard.metadata.labels?.['grafana_dashboard'], '1', "Grafana's sidecar label");
    assert.equal(dashboard.data['lifeboat.json'], readFileSync(CHART_DASHBOARD_FILE, 'utf8'));
    assert.ok(has(objects, 'PrometheusRule'), 'alerts: test/charts/alerts.test.ts');
  });

  it('copies its dashboard into deploy/grafana/ (`npm run deploy:render`)', () => {
    assert.ok(
      readFileSync(DEPLOY_DASHBOARD_FILE, 'utf8') === readFileSync(CHART_DASHBOARD_FILE, 'utf8'),
      'deploy/grafana/lifeboat.json is stale: run `npm run deploy:render` and commit it',
    );
  });
});

describe('deploy/kustomization.yaml', () => {
  it('lists the CRD and every manifest of deploy/, and is what `npm run deploy:render` writes', async () => {
    const files = [...(await deployFiles()).keys()];
    const committed = readFileSync(join(DEPLOY_DIR, DEPLOY_KUSTOMIZATION), 'utf8');
    assert.ok(committed === deployKustomization(files), 'stale: run `npm run deploy:render` and commit it');
    const listed = committed
      .split('\n')
      .filter((l) => l.startsWith('  - '))
      .map((l) => l.slice(4));
    assert.deepEqual(listed, ['crd/imagebackups.lifeboat.dev.json', ...files]);
  });

  it("is the base of deploy/README.md's overlay, which sets the image and the registry (kubectl kustomize)", () => {
    const readme = readFileSync(join(DEPLOY_DIR, 'README.md'), 'utf8');
    const example = /^```yaml\n# my-lifeboat\/kustomization.yaml\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? '';
    assert.ok(example.includes('resources: [../lifeboat/deploy]'), 'the overlay example');
    assert.ok(example.includes(`name: ${DEPLOY_VALUES.image.repository}`), 'it names the placeholder image');
    const overlay = mkdtempSync(join(tmpdir(), 'lifeboat-overlay-'));
    try {
      cpSync(DEPLOY_DIR, join(overlay, 'base'), { recursive: true });
      writeFileSync(join(overlay, 'kustomization.yaml'), example.replace('[../lifeboat/deploy]', '[base]'));
      // kubectl kustomize prints YAML only: its top-level `kind:` lines and the container lines will do.
      const out = execFileSync(toolPath('kubectl'), ['kustomize', overlay], { encoding: 'utf8' });
      const built = [...out.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]!);
      assert.deepEqual(built.sort(), ['CustomResourceDefinition', ...DEPLOY_KINDS].sort());
      const images = [...out.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
      assert.deepEqual(images, ['REGISTRY/lifeboat:0.1.0']);
      assert.match(out, /^\s+- --backup-registry=backup\.example\.com\/lifeboat$/m);
      assert.ok(!out.includes(DEPLOY_VALUES.backup.registry), 'the placeholder registry is replaced');
    } finally {
      rmSync(overlay, { recursive: true, force: true });
    }
  });
});

const DEPLOY_KINDS = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Deployment',
  'PodDisruptionBudget',
  'Service',
];
