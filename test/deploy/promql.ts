// Just enough of PromQL to list what an expression refers to: the metric (series) names and the
// label names of its matchers and grouping clauses. Strings, ranges and Grafana variables are
// dropped first; an identifier followed by `(` is a function or an aggregation, not a metric.
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * Labels Prometheus attaches to every scraped series, whatever the target exports: instance and job
 * always, namespace by Kubernetes service discovery (a ServiceMonitor's scrape), cluster as the
 * external label a multi-cluster Prometheus (or Thanos, Mimir) sets.
 */
export const TARGET_LABELS: ReadonlySet<string> = new Set(['instance', 'job', 'namespace', 'cluster']);

/** Series Prometheus itself writes for each target. */
export const PROMETHEUS_SERIES: ReadonlySet<string> = new Set(['up']);

/** Each `label="value"` or `label=~"a|b"` matcher of `expr`, with its literal values (regex split at `|`). */
export function promqlMatchers(expr: string): { label: string; op: string; values: string[] }[] {
  return [...expr.matchAll(/\{([^}]*)\}/g)].flatMap(([, matchers]) =>
    [...matchers!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => ({
      label: m[1]!,
      op: m[2]!,
      values: m[2]!.includes('~') ? m[3]!.split('|') : [m[3]!],
    })),
  );
}

export interface PromqlReferences {
  readonly metrics: readonly string[];
  readonly labels: readonly string[];
}

export function promqlReferences(expr: string): PromqlReferences {
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_, matchers: string) => {
    for (const matcher of matchers.split(',')) {
      const label = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)/.exec(matcher)?.[1];
      if (label) labels.add(label);
    }
    return ' ';
  });
  rest = rest.replace(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_, list: string) => {
      for (const label of list.split(',').map((l) => l.trim())) if (label) labels.add(label);
      return ' ';
    },
  );
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ' ');
  const metrics = new Set<string>();
  for (const match of rest.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = rest.slice(match.index + match[0].length);
    if (KEYWORDS.has(match[0].toLowerCase()) || /^\s*\(/.test(after)) continue;
    metrics.add(match[0]);
  }
  return { metrics: [...metrics], labels: [...labels] };
}
