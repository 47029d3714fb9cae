// charts/lifeboat with the pinned helm: it lints, renders with its defaults and with a values file
// that sets every value (each one lands where it should), its CRD is the generated one, and deploy/
// is the chart rendered with the defaults (`npm run deploy:render` when this fails).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { imageBackupCrdFile } from '../../src/controllers/api/crd.ts';
import {
  CHART_CRD_FILE,
  CHART_DIR,
  DEPLOY_DIR,
  DEPLOY_RELEASE,
  deployFiles,
  helm,
  renderChart,
  type RenderedObject,
} from '../../scripts/chart.ts';
import { controllerArgs, EVERY_VALUE_FILE, objectOf, type Deployment, REQUIRED_VALUES } from './rendered.ts';

const EVERY_VALUE = JSON.parse(readFileSync(EVERY_VALUE_FILE, 'utf8')) as Record<string, unknown>;
const RELEASE = { release: 'fleet', namespace: 'boats' } as const;
/** The two values without a default (an install without them fails: conventions.test.ts). */
const REQUIRED = REQUIRED_VALUES;

interface PrometheusRule {
  spec: { groups: { rules: { alert: string; expr: string }[] }[] };
}

interface Schema {
  type?: string;
  additionalProperties?: unknown;
  properties?: Record<string, Schema>;
}

/** Dotted paths of values.schema.json's leaves (objects it closes are walked, open ones are leaves). */
function schemaLeaves(schema: Schema, prefix = ''): string[] {
  if (schema.additionalProperties !== false || !schema.properties) return [prefix];
  return Object.entries(schema.properties).flatMap(([k, s]) =>
    schemaLeaves(s, prefix ? `${prefix}.${k}` : k),
  );
}

/** Helm merges a map value into the default map: what was given must be there, defaults may stay. */
function assertIncludes(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    assert.deepEqual(actual, expected, path);
    return;
  }
  for (const [k, v] of Object.entries(expected)) {
    assertIncludes((actual as Record<string, unknown> | undefined)?.[k], v, `${path}.${k}`);
  }
}

const valueAt = (path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], EVERY_VALUE);

describe('charts/lifeboat', () => {
  it('passes helm lint --strict', () => {
    const out = helm(['lint', '--strict', CHART_DIR]);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('refuses a value the schema does not know', () => {
    assert.throws(
      () =>
        renderChart({ ...RELEASE, values: { ...REQUIRED, backup: { registry: 'r.example', typo: true } } }),
      /additional properties 'typo' not allowed/,
    );
  });

  it('renders with its defaults: the CRD, the controller, its RBAC, PDB and metrics Service; no Namespace', () => {
    const objects = renderChart({ ...RELEASE, values: REQUIRED });
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    for (const o of objects) {
      if (o.kind === 'CustomResourceDefinition') continue;
      if (!o.kind.startsWith('Cluster')) assert.equal(o.metadata.namespace, RELEASE.namespace, o.kind);
      assert.match(o.metadata.name, /^fleet-lifeboat/, `${o.kind} is named after the release`);
    }
  });

  it('puts every value of a values file that sets them all where it belongs', () => {
    const objects = renderChart({ ...RELEASE, valuesFiles: [EVERY_VALUE_FILE] });
    /** The same, but with `overrides` (null removes a value, as in Helm). */
    const renderedWith = (overrides: Record<string, unknown>) =>
      renderChart({ ...RELEASE, valuesFiles: [EVERY_VALUE_FILE], values: overrides });
    const labelsOf = (kind: string) =>
      (objectOf<RenderedObject>(objects, kind).metadata as { labels?: Record<string, string> }).labels;
    const endpoint = () =>
      (
        objectOf<RenderedObject>(objects, 'ServiceMonitor') as unknown as {
          spec: { endpoints: Record<string, unknown>[] };
        }
      ).spec.endpoints[0]!;
    const deployment = objectOf<Deployment>(objects, 'Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    const of = (kind: string): RenderedObject & Record<string, never> => objectOf(objects, kind);
    const args = controllerArgs(objects);
    // privateImages=isolated: the token service's Service and Ingress (found by name, beside the metrics Service).
    const named = <T>(kind: string, suffix: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name.endsWith(suffix)) as unknown as T;
    const tokenService = () => named<{ spec: { ports: { nodePort?: number }[] } }>('Service', '-token');
    const tokenIngress = () =>
      named<{
        metadata: { annotations?: unknown };
        spec: { ingressClassName?: string; rules: { host: string }[] };
      }>('Ingress', '-token');
    // Each value → what it renders to. The `lifeboat run` values are checked flag by flag in
    // values.test.ts; here they only need to reach the arguments.
    const placed: Record<string, () => unknown> = {
      'image.repository': () => container.image.split('@')[0],
      'image.digest': () => container.image.split('@')[1],
      // The digest, when given, is the whole reference: the tag shows without it.
      'image.tag': () =>
        objectOf<Deployment>(
          renderedWith({ image: { digest: '' } }),
          'Deployment',
        ).spec.template.spec.containers[0]!.image.split(':')[1],
      'image.pullPolicy': () => container['imagePullPolicy'],
      imagePullSecrets: () => pod['imagePullSecrets'],
      // The deprecated name wins when given; without it, replicaCount.
      replicas: () => deployment.spec.replicas,
      replicaCount: () => objectOf<Deployment>(renderedWith({ replicas: null }), 'Deployment').spec.replicas,
      createNamespace: () => of('Namespace').metadata.name === RELEASE.namespace,
      nameOverride: () =>
        (deployment.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/name'],
      fullnameOverride: () => deployment.metadata.name,
      'crds.install': () => objects.some((o) => o.kind === 'CustomResourceDefinition'),
      'serviceAccount.create': () => objects.some((o) => o.kind === 'ServiceAccount'),
      'serviceAccount.name': () => pod.serviceAccountName,
      'serviceAccount.annotations': () =>
        (of('ServiceAccount').metadata as { annotations?: Record<string, string> }).annotations,
      'rbac.create': () => objects.some((o) => o.kind === 'ClusterRole'),
      podLabels: () => deployment.spec.template.metadata['labels'],
      topologySpreadConstraints: () => pod['topologySpreadConstraints'],
      extraArgs: () => args.slice(-(EVERY_VALUE['extraArgs'] as unknown[]).length),
      extraEnv: () => container['env'],
      'metrics.serviceMonitor.enabled': () => objects.some((o) => o.kind === 'ServiceMonitor'),
      'metrics.serviceMonitor.interval': () => endpoint()['interval'],
      'metrics.serviceMonitor.scrapeTimeout': () => endpoint()['scrapeTimeout'],
      'metrics.serviceMonitor.labels': () => labelsOf('ServiceMonitor'),
      'metrics.prometheusRule.enabled': () => objects.some((o) => o.kind === 'PrometheusRule'),
      'metrics.prometheusRule.labels': () => labelsOf('PrometheusRule'),
      'metrics.prometheusRule.selector': () =>
        (of('PrometheusRule') as unknown as PrometheusRule).spec.groups[0]!.rules.every((r) =>
          r.expr.includes(valueAt('metrics.prometheusRule.selector') as string),
        ) && valueAt('metrics.prometheusRule.selector'),
      'metrics.grafanaDashboard.enabled': () => objects.some((o) => o.kind === 'ConfigMap'),
      'metrics.grafanaDashboard.namespace': () => of('ConfigMap').metadata.namespace,
      'metrics.grafanaDashboard.labels': () => labelsOf('ConfigMap'),
      'metrics.grafanaDashboard.annotations': () =>
        (of('ConfigMap').metadata as { annotations?: Record<string, string> }).annotations,
      'metrics.port': () => container.ports.find((p) => p.name === 'metrics')?.containerPort,
      'metrics.serviceAnnotations': () => ({
        'example.org/team': (
          named<RenderedObject>('Service', '-metrics').metadata as unknown as {
            annotations: Record<string, string>;
          }
        ).annotations['example.org/team'],
      }),
      'registryCA.configMap': () => pod.volumes.find((v) => v.name === 'registry-ca')?.configMap?.name,
      resources: () => container['resources'],
      podSecurityContext: () => pod['securityContext'],
      securityContext: () => container['securityContext'],
      podAnnotations: () => deployment.spec.template.metadata['annotations'],
      nodeSelector: () => pod['nodeSelector'],
      tolerations: () => pod['tolerations'],
      affinity: () => pod['affinity'],
      priorityClassName: () => pod['priorityClassName'],
      'tokenService.port': () => container.ports.find((p) => p.name === 'token')?.containerPort,
      'tokenService.nodePort': () => tokenService().spec.ports[0]?.nodePort,
      'tokenService.ingress.host': () => tokenIngress().spec.rules[0]?.host,
      'tokenService.ingress.className': () => tokenIngress().spec.ingressClassName,
      'tokenService.ingress.annotations': () => tokenIngress().metadata.annotations,
      'webhook.port': () => container.ports.find((p) => p.name === 'webhook')?.containerPort,
      'webhook.certManager.issuerRef': () =>
        (of('Certificate') as { spec?: { issuerRef: unknown } }).spec?.issuerRef,
      'podDisruptionBudget.minAvailable': () =>
        (of('PodDisruptionBudget') as { spec?: { minAvailable: unknown } }).spec?.minAvailable,
    };
    const schema = JSON.parse(readFileSync(`${CHART_DIR}values.schema.json`, 'utf8')) as Schema;
    // `global` is what a parent chart shares with its subcharts: accepted (conventions.test.ts), unused.
    for (const path of schemaLeaves(schema).filter((p) => p !== 'global')) {
      const value = valueAt(path);
      assert.notEqual(value, undefined, `every-value.json sets ${path}`);
      if (path === 'createNamespace') assert.equal(placed[path]!(), true);
      else if (path in placed) assertIncludes(placed[path]!(), value, path);
      else {
        // A `lifeboat run` value: it shows in the arguments (a list as its first item).
        const shown = String(Array.isArray(value) ? value[0] : value);
        assert.ok(
          args.some((a) => a.includes(shown)) || typeof value === 'boolean',
          `${path}=${shown} reaches the arguments: ${args.join(' ')}`,
        );
      }
    }
    // Every object is named after fullnameOverride, and selected by the same labels.
    assert.equal(of('ServiceAccount').metadata.name, 'boat-sa');
    assert.equal(pod.serviceAccountName, 'boat-sa');
  });

  it('installs the CRD `npm run crd` generates (files/crds/ is a copy of deploy/crd/)', () => {
    assert.ok(
      readFileSync(CHART_CRD_FILE, 'utf8') === imageBackupCrdFile(),
      `${CHART_CRD_FILE} is stale: run \`npm run crd\` and commit it`,
    );
  });

  it('is what deploy/ holds, rendered with the default values', async () => {
    const expected = await deployFiles();
    const committed = readdirSync(DEPLOY_DIR, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
    assert.deepEqual(committed, [...expected.keys()], 'deploy/ holds one file per rendered object');
    for (const [file, text] of expected) {
      assert.ok(
        readFileSync(DEPLOY_DIR + file, 'utf8') === text,
        `deploy/${file} is stale: run \`npm run deploy:render\` and commit it`,
      );
    }
    assert.equal(DEPLOY_RELEASE.namespace, 'lifeboat-system');
  });
});
