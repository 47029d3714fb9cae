// deploy/grafana/lifeboat.json queries only what lifeboat exports: every series name in its PromQL
// is a metric some `new Counter|Gauge|Histogram|Summary` in src/ defines (histograms through their
// _bucket/_sum/_count series), and every label it matches or groups by is one of those metrics'
// labels (or `le`, or a label Prometheus adds to every target). A renamed metric or label fails here
// instead of leaving an operator with an empty panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { pullSecretMetrics } from '../../src/controllers/pull-secrets/metrics.ts';
import { registryRequestMetrics } from '../../src/registry/transport/metrics.ts';
import { exportedMetrics, seriesNames, type ExportedMetric } from './exported-metrics.ts';
import { DEPLOY_DIR } from './manifests.ts';
import { promqlReferences, TARGET_LABELS } from './promql.ts';

/** What issue 10 asks the dashboard to show, as the series that show it. */
const REQUIRED_SERIES = [
  'lifeboat_image_backups',
  'lifeboat_copy_bytes_total',
  'lifeboat_copy_errors_total',
  'lifeboat_copy_duration_seconds_bucket',
  'lifeboat_rewrites_total',
  'lifeboat_registry_requests_total',
  'workqueue_depth',
  'workqueue_retries_total',
  'lifeboat_leader',
  'lifeboat_pull_secret_namespaces',
  'lifeboat_workloads',
  'lifeboat_image_backups_source',
];

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
  gridPos: { x: number; w: number };
}

interface Dashboard {
  uid: string;
  templating: {
    list: { name: string; type: string; query: string | { query: string }; allValue?: string }[];
  };
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(`${DEPLOY_DIR}grafana/lifeboat.json`, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

function bySeries(metrics: readonly ExportedMetric[]): Map<string, ExportedMetric> {
  return new Map(metrics.flatMap((m) => seriesNames(m).map((s) => [s, m] as const)));
}

test('the PromQL reader finds metrics and labels, not functions, keywords, strings or ranges', () => {
  assert.deepEqual(
    promqlReferences(
      'histogram_quantile(0.95, sum by (le, host) (rate(a_bucket{code!~"5..", method="GET"}[$__rate_interval]))) / on(instance) b_total offset 5m',
    ),
    { metrics: ['a_bucket', 'b_total'], labels: ['code', 'method', 'le', 'host', 'instance'] },
  );
  assert.deepEqual(promqlReferences('sum(x) > bool 1e3'), { metrics: ['x'], labels: [] });
});

test('the source scan agrees with prom-client on the metrics it registers', () => {
  const registry = new Registry();
  registryRequestMetrics(registry);
  pullSecretMetrics(registry, new Map());
  const scanned = new Map(exportedMetrics().map((m) => [m.name, m]));
  const registered = registry.getMetricsAsArray();
  assert.ok(registered.length > 0);
  for (const metric of registered) {
    const found = scanned.get(metric.name);
    assert.ok(found, `${metric.name} registered but not found by the scan`);
    const { labelNames } = metric as unknown as { labelNames: string[] };
    assert.deepEqual([...found.labelNames].sort(), [...labelNames].sort(), metric.name);
  }
});

test('every panel queries through the dashboard data source variable', () => {
  const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
  assert.ok(variable, 'a data source variable');
  assert.equal(variable.query, 'prometheus');
  const uid = `\${${variable.name}}`;
  assert.ok(queryPanels.length > 0);
  for (const panel of queryPanels) {
    assert.equal(panel.datasource?.uid, uid, panel.title);
    assert.ok(panel.targets && panel.targets.length > 0, `${panel.title} has no query`);
    for (const t of panel.targets) {
      assert.equal(t.datasource?.uid, uid, panel.title);
      assert.ok(t.expr.trim(), `${panel.title}: empty expression`);
    }
  }
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the grid`);
});

test('every series the dashboard queries is one lifeboat exports', () => {
  const exported = bySeries(exportedMetrics());
  const missing = exprs.flatMap(({ panel, expr }) =>
    promqlReferences(expr)
      .metrics.filter((m) => !exported.has(m))
      .map((m) => `${m} (panel "${panel}")`),
  );
  assert.deepEqual(missing, [], `not exported by src/: ${missing.join(', ')}`);
});

test('every label the dashboard matches or groups by is a label of the metrics it queries', () => {
  const exported = bySeries(exportedMetrics());
  for (const { panel, expr } of exprs) {
    const refs = promqlReferences(expr);
    // An expression on a metric src/ lacks fails the test above; its labels cannot be judged here.
    if (!refs.metrics.every((m) => exported.has(m))) continue;
    const known = new Set([
      ...TARGET_LABELS,
      ...refs.metrics.flatMap((m) => exported.get(m)?.labelNames ?? []),
    ]);
    if (refs.metrics.some((m) => m.endsWith('_bucket') && exported.get(m)?.type === 'Histogram'))
      known.add('le');
    const unknown = refs.labels.filter((l) => !known.has(l));
    assert.deepEqual(unknown, [], `panel "${panel}": ${expr}`);
  }
});

test('every query is narrowed by the cluster, namespace and job variables (issue 18)', () => {
  const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  for (const name of ['cluster', 'namespace', 'job']) {
    const v = variables.get(name);
    assert.equal(v?.type, 'query', `a ${name} variable`);
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const refs = promqlReferences(query.replace(/^label_values\((.*), *(\w+)\)$/, '$1'));
    assert.deepEqual(refs.metrics, ['lifeboat_build_info'], `${name} is read from lifeboat_build_info`);
    // All must match a series without the label (a Prometheus with no cluster label).
    assert.equal(v.allValue, '.*', name);
  }
  for (const { panel, expr } of exprs) {
    const selectors = [...expr.matchAll(/\b([a-z_:]+)(\{[^}]*\})?/g)].filter(
      ([, name]) => name !== undefined && promqlReferences(expr).metrics.includes(name),
    );
    assert.ok(selectors.length > 0, panel);
    for (const [whole] of selectors) {
      for (const name of ['cluster', 'namespace', 'job'])
        assert.ok(whole.includes(`${name}=~"$${name}"`), `panel "${panel}": ${whole} matches $${name}`);
    }
  }
});

test('the dashboard shows what issue 10 asks for', () => {
  const queried = new Set(exprs.flatMap(({ expr }) => promqlReferences(expr).metrics));
  assert.deepEqual(
    REQUIRED_SERIES.filter((s) => !queried.has(s)),
    [],
  );
});
