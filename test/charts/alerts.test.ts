// The PrometheusRule of charts/lifeboat (metrics.prometheusRule.enabled) alerts on what issue 18
// asks, and only on what lifeboat exports: every series an alert reads is a metric src/ registers
// (or Prometheus's own `up`), every label it matches or groups by is one of those metrics' labels
// or one Prometheus adds to the target, and every label value it matches is one src/ writes
// (a phase, a protection, a source state). No Prometheus binary is pinned, so the PromQL is read
// by test/deploy/promql.ts; a renamed metric, label or value fails here instead of an alert that
// silently never fires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGE_BACKUP_PHASES } from '../../src/controllers/api/image-backup-schema.ts';
import { SOURCE_STATES } from '../../src/controllers/image-backups/source-check-status.ts';
import { PROTECTIONS } from '../../src/controllers/workloads/protection.ts';
import { renderChart } from '../../scripts/chart.ts';
import { exportedMetrics, seriesNames, type ExportedMetric } from '../deploy/exported-metrics.ts';
import { PROMETHEUS_SERIES, promqlMatchers, promqlReferences, TARGET_LABELS } from '../deploy/promql.ts';
import { objectOf } from './rendered.ts';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

const RELEASE = { release: 'fleet', namespace: 'boats' } as const;

function rules(values: Record<string, unknown> = {}): Rule[] {
  const objects = renderChart({
    ...RELEASE,
    values: {
      image: { repository: 'r.example/lifeboat' },
      backup: { registry: 'r.example/backups' },
      metrics: { prometheusRule: { enabled: true, ...values } },
    },
  });
  const rule = objectOf<{ spec: { groups: { rules: Rule[] }[] } }>(objects, 'PrometheusRule');
  return rule.spec.groups.flatMap((g) => g.rules);
}

/** The values src/ writes for a label, where the alerts match on one. */
const LABEL_VALUES: Readonly<Record<string, readonly string[]>> = {
  phase: IMAGE_BACKUP_PHASES,
  protection: PROTECTIONS,
  state: SOURCE_STATES,
};

describe("charts/lifeboat's alerts", () => {
  const exported = new Map<string, ExportedMetric>(
    exportedMetrics().flatMap((m) => seriesNames(m).map((s) => [s, m] as const)),
  );

  it('are the ones issue 18 asks for, each held for its time', () => {
    assert.deepEqual(Object.fromEntries(rules().map((r) => [r.alert, r.for])), {
      LifeboatDown: '5m',
      LifeboatNoLeader: '5m',
      LifeboatBackupsFailing: '30m',
      LifeboatWorkloadsExposed: '1h',
      LifeboatSourceGone: '15m',
    });
    for (const r of rules()) {
      assert.match(r.labels.severity, /^(critical|warning)$/, r.alert);
      assert.ok(r.annotations.summary && r.annotations.description, r.alert);
    }
  });

  it('read only series lifeboat exports (or Prometheus writes), by labels they have', () => {
    for (const { alert, expr } of rules()) {
      const refs = promqlReferences(expr);
      assert.ok(refs.metrics.length > 0, `${alert} reads a series`);
      const unknown = refs.metrics.filter((m) => !exported.has(m) && !PROMETHEUS_SERIES.has(m));
      assert.deepEqual(unknown, [], `${alert}: ${expr}`);
      const known = new Set([
        ...TARGET_LABELS,
        ...refs.metrics.flatMap((m) => exported.get(m)?.labelNames ?? []),
      ]);
      assert.deepEqual(
        refs.labels.filter((l) => !known.has(l)),
        [],
        `${alert}: ${expr}`,
      );
    }
  });

  it('match only label values src/ writes', () => {
    let checked = 0;
    for (const { alert, expr } of rules()) {
      for (const { label, values } of promqlMatchers(expr)) {
        const allowed = LABEL_VALUES[label];
        if (!allowed) continue;
        checked++;
        assert.deepEqual(
          values.filter((v) => !allowed.includes(v)),
          [],
          `${alert}: ${label} values`,
        );
      }
    }
    assert.equal(checked, 3, 'the phase, protection and state matchers');
  });

  it("select this release's series: its namespace and the ServiceMonitor's job, or the given selector", () => {
    for (const { alert, expr } of rules()) {
      const matchers = promqlMatchers(expr);
      assert.ok(
        matchers.some((m) => m.label === 'namespace' && m.op === '=' && m.values[0] === RELEASE.namespace),
        alert,
      );
      assert.ok(
        matchers.some((m) => m.label === 'job' && m.op === '=' && m.values[0] === 'fleet-lifeboat-metrics'),
        alert,
      );
    }
    for (const { alert, expr } of rules({ selector: 'cluster="eu", job="lifeboat"' })) {
      assert.ok(expr.includes('cluster="eu", job="lifeboat"'), alert);
      assert.ok(!expr.includes('fleet-lifeboat-metrics'), alert);
    }
  });

  it('the PromQL reader finds the values of equality and regex matchers', () => {
    assert.deepEqual(promqlMatchers('sum(a{phase=~"Failed|Degraded", job="j"}) > 0'), [
      { label: 'phase', op: '=~', values: ['Failed', 'Degraded'] },
      { label: 'job', op: '=', values: ['j'] },
    ]);
  });
});
