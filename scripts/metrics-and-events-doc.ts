// docs/metrics-and-events.md, generated from the sources as docs/configuration.md is from the flags:
// - metrics: every `new Counter|Gauge|Histogram|Summary` in src/ (test/deploy/exported-metrics.ts,
//   the scan the Grafana dashboard test trusts), with its type, labels and HELP text;
// - Events: every reason of src/controllers/api/event-reasons.ts with its doc comment, and the `type` and
//   `action` of every place in src/controllers that records it (an object literal
//   `{ type, reason: EventReasons.X, action }`).
// What the code cannot say by itself (which object an Event is about) is RECORDED_ON below, keyed by
// EventReason: a new reason fails the typecheck until it is described here.
// `npm run docs:metrics` writes the file; test/docs/metrics-and-events.test.ts fails when it is stale.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { EventReason } from '../src/controllers/api/event-reasons.ts';
import { COPY_BACKOFF } from '../src/controllers/image-backups/copy-retry.ts';
import { EVENT_RECORDER_DEFAULTS } from '../src/kube/index.ts';
import { exportedMetrics, sourceFiles, type ExportedMetric } from '../test/deploy/exported-metrics.ts';

/** Where the generated reference lives in the repository. */
export const METRICS_AND_EVENTS_DOC = fileURLToPath(
  new URL('../docs/metrics-and-events.md', import.meta.url),
);

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONTROLLERS = fileURLToPath(new URL('../src/controllers/', import.meta.url));
const EVENT_REASONS = fileURLToPath(new URL('../src/controllers/api/event-reasons.ts', import.meta.url));

const seconds = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

/** Which object each Event is about, and how often it repeats (read from the code that records it). */
const RECORDED_ON: Readonly<Record<EventReason, { readonly on: string; readonly repeats: string }>> = {
  BackupStarted: {
    on: 'ImageBackup',
    repeats:
      'each copy attempt that lasts 10 s or does not end Ready (a quick copy records only BackupReady); the note names source, target and attempt',
  },
  BackupReady: {
    on: 'ImageBackup',
    repeats:
      'each attempt that ends Ready; the note names both digests, or says the target already held the image (a recheck after a spec change that finds it unchanged records none)',
  },
  BackupFailed: {
    on: 'ImageBackup',
    repeats: `each failed attempt; the note is \`status.lastError\`; the next attempt follows after ${seconds(COPY_BACKOFF.initialMs)}, doubling up to ${seconds(COPY_BACKOFF.maxMs)}`,
  },
  BackupDamaged: {
    on: 'ImageBackup',
    repeats:
      'once per finding: when the backup turns Degraded or what is missing changes (it is rechecked with backoff meanwhile); the note names the missing manifests and what the source serves',
  },
  SourceGone: {
    on: 'ImageBackup',
    repeats:
      'once per change of the SourceAvailable condition to False (or of its reason); the backup stays Ready',
  },
  SourceChanged: {
    on: 'ImageBackup',
    repeats: 'once per new digest the source tag serves; the note names the old and the new digest',
  },
  SourceBack: { on: 'ImageBackup', repeats: 'once per change of the SourceAvailable condition back to True' },
  ImagesMovedToBackup: { on: 'workload', repeats: 'once per rewrite; the note lists `container: old → new`' },
  RewriteConflict: { on: 'workload', repeats: 'each guarded patch that lost to another writer' },
  RewriteReverted: { on: 'workload', repeats: 'once per workload generation' },
  BackupAccessDenied: {
    on: 'workload',
    repeats:
      "once per workload generation; the note names the container, the source and the namespace's pull secrets",
  },
  PrivateSourceSkipped: {
    on: 'workload',
    repeats: 'once per workload generation; the note names each container and its private source',
  },
  PullSecretConflict: {
    on: 'the Secret named `--pull-secret-name` in that namespace',
    repeats: 'each reconcile of that namespace (repeats join one Event series)',
  },
  PullSecretSourceInvalid: {
    on: 'the `--backup-pull-secret` Secret',
    repeats: 'once per distinct problem, by the leader',
  },
  InvalidImageReference: {
    on: 'workload',
    repeats: 'once per workload generation; the note names each container and its reference',
  },
  WouldBackUp: { on: 'workload', repeats: 'with `--dry-run` only, once per workload generation and image' },
  WouldRewrite: { on: 'workload', repeats: 'with `--dry-run` only, once per workload generation' },
};

/** One place in src/controllers that records an Event. */
export interface EventSite {
  readonly reason: string;
  readonly type: string;
  readonly action: string;
  /** `src/...` path. */
  readonly file: string;
}

export interface EventReasonDoc {
  readonly reason: string;
  /** The reason's doc comment in event-reasons.ts. */
  readonly when: string;
  readonly sites: readonly EventSite[];
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

function literalProperty(literal: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const p of literal.properties)
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === key) return p.initializer;
  return undefined;
}

function textOf(node: ts.Expression | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;
}

/** Every `{ type: '…', reason: EventReasons.X, action: '…' }` in src/controllers. */
export function eventSites(): EventSite[] {
  const sites: EventSite[] = [];
  for (const path of sourceFiles(CONTROLLERS)) {
    const file = parse(path);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const reason = literalProperty(node, 'reason');
        if (
          reason &&
          ts.isPropertyAccessExpression(reason) &&
          ts.isIdentifier(reason.expression) &&
          reason.expression.text === 'EventReasons'
        ) {
          const where = `${relative(ROOT, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const type = textOf(literalProperty(node, 'type'));
          const action = textOf(literalProperty(node, 'action'));
          if (type === undefined || action === undefined)
            throw new Error(`${where}: an Event's type and action must be string literals beside its reason`);
          sites.push({ reason: reason.name.text, type, action, file: relative(ROOT, path) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return sites;
}

/** The reasons of event-reasons.ts in their order, each with its doc comment and where it is recorded. */
export function eventReasonDocs(): EventReasonDoc[] {
  const file = parse(EVENT_REASONS);
  const sites = eventSites();
  const docs: EventReasonDoc[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const comment = ts
        .getLeadingCommentRanges(file.text, node.pos)
        ?.map((r) => file.text.slice(r.pos, r.end))
        .find((c) => c.startsWith('/**'));
      const reason = node.name.text;
      if (comment === undefined) throw new Error(`event-reasons.ts: ${reason} has no doc comment`);
      const when = comment
        .replace(/^\/\*\*|\*\/$/g, '')
        .split('\n')
        .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
        .filter(Boolean)
        .join(' ');
      docs.push({ reason, when, sites: sites.filter((s) => s.reason === reason) });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return docs;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string): string => `\`${text}\``;
const distinct = (values: readonly string[]): string[] => [...new Set(values)].sort();

function metricsTable(metrics: readonly ExportedMetric[]): string {
  const rows = metrics.map((m) => {
    const labels = m.labelNames.length === 0 ? '' : m.labelNames.map(code).join(', ');
    const file = m.where.replace(/:\d+$/, '');
    return `| ${code(m.name)} | ${m.type.toLowerCase()} | ${labels} | ${cell(m.help)} | ${code(file)} |`;
  });
  return [
    '| metric | type | labels | meaning | defined in |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function eventsTable(docs: readonly EventReasonDoc[]): string {
  const rows = docs.map((d) => {
    const recorded = RECORDED_ON[d.reason as EventReason];
    const on =
      recorded.on === 'workload' || recorded.on === 'ImageBackup' ? `the ${recorded.on}` : recorded.on;
    return `| ${code(d.reason)} | ${distinct(d.sites.map((s) => s.type)).join(', ')} | ${distinct(
      d.sites.map((s) => s.action),
    ).join(', ')} | ${cell(on)} | ${cell(d.when)} | ${cell(recorded.repeats)} |`;
  });
  return [
    '| reason | type | action | recorded on | when | how often |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The `name` of every `createController({ name: '…' })` in src/controllers, sorted. */
export function controllerNames(): string[] {
  const names: string[] = [];
  for (const path of sourceFiles(CONTROLLERS)) {
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'createController' &&
        node.arguments[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const name = textOf(literalProperty(node.arguments[0], 'name'));
        if (name === undefined)
          throw new Error(`${relative(ROOT, path)}: a controller name is not a string literal`);
        names.push(name);
      }
      ts.forEachChild(node, visit);
    };
    visit(parse(path));
  }
  return names.sort();
}

/** The metrics by name, each once (a family defined twice would be a prom-client error at run time). */
function byName(metrics: readonly ExportedMetric[]): ExportedMetric[] {
  const seen = new Map<string, ExportedMetric>();
  for (const m of metrics) if (!seen.has(m.name)) seen.set(m.name, m);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The whole docs/metrics-and-events.md. */
export function metricsAndEventsMarkdown(): string {
  const metrics = byName(exportedMetrics());
  const lifeboat = metrics.filter((m) => m.name.startsWith('lifeboat_'));
  const runtime = metrics.filter((m) => !m.name.startsWith('lifeboat_'));
  return [
    '# Metrics and Events',
    '',
    '<!-- Generated from src/ by `npm run docs:metrics` (scripts/metrics-and-events-doc.ts); a test fails when this file is stale. -->',
    '',
    '## Metrics',
    '',
    '`lifeboat run` serves them in the Prometheus text format at `/metrics` on `--metrics-addr`',
    '(default `:8080`; the `lifeboat-metrics` Service of `deploy/`), beside `/healthz` and `/readyz`.',
    "Besides the families below it exports prom-client's default process metrics (`process_*`, `nodejs_*`).",
    '`deploy/grafana/lifeboat.json` is a dashboard for them.',
    '',
    'Every replica serves them. Reconciles, copies, rewrites and Events happen on the leader only, so',
    'their metrics move on the leader; the informer metrics, `lifeboat_leader` and `lifeboat_build_info`',
    'come from every replica. The object counts (`lifeboat_image_backups`, `lifeboat_image_backups_source`,',
    '`lifeboat_image_backup_ready`, `lifeboat_workloads`, `lifeboat_pull_secret_namespaces`, counted from',
    'the caches at scrape time) are exported by the leader only, so a plain `sum()` counts each object once.',
    '',
    '### `lifeboat_*`',
    '',
    metricsTable(lifeboat),
    '',
    "Label values: `informer` is the informer's resource, version and group, plus its namespace and",
    'selectors when it has them (`deployments.v1.apps`); `lease` is `{--lifeboat-namespace}/lifeboat`; `reason` of',
    "`lifeboat_copy_errors_total` is the error code that also becomes the reason of the ImageBackup's",
    '`Ready` condition (see [operations](operations.md#backupfailed)).',
    '',
    '### Workqueue and controller runtime',
    '',
    'Named, labelled and bucketed as controller-runtime does, so existing dashboards and alerts apply.',
    `The \`name\` and \`controller\` labels are the controller: ${controllerNames().map(code).join(', ')}.`,
    '',
    metricsTable(runtime),
    '',
    '## Events',
    '',
    `Recorded as \`events.k8s.io/v1\` Events by \`${EVENT_RECORDER_DEFAULTS.reportingController}\`. Repeats of the same Event within`,
    `${seconds(EVENT_RECORDER_DEFAULTS.seriesWindowMs)} join one series (a count) instead of creating new objects, and a rate limit per object and`,
    'overall drops the excess (`lifeboat_events_dropped_total{reason="rate_limited"}`). ImageBackups are',
    'cluster-scoped: their Events are created in the `default` namespace. A workload is a Deployment,',
    'DaemonSet, StatefulSet or CronJob. `--dry-run` writes nothing but Events.',
    '',
    '```sh',
    'kubectl events -n NAMESPACE --for deployment/NAME   # a workload',
    'kubectl describe imagebackup NAME                    # an ImageBackup, its status and its Events',
    'kubectl get events -A --field-selector reason=BackupFailed',
    '```',
    '',
    eventsTable(eventReasonDocs()),
    '',
  ].join('\n');
}
