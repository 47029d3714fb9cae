// The metrics lifeboat exports, read from the sources: every `new Counter|Gauge|Histogram|Summary({
// name, help, labelNames })` in src/ (tests excluded), with the TypeScript parser rather than a text
// search, so a comment or a string that merely mentions a name does not count. A metric whose name
// is neither a string literal nor a `const` of one in its file cannot be read: that is an error,
// not a silent omission, so the catalogue is complete or the test says why not.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const METRIC_CLASSES = new Set(['Counter', 'Gauge', 'Histogram', 'Summary']);

export type MetricType = 'Counter' | 'Gauge' | 'Histogram' | 'Summary';

export interface ExportedMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  /** The HELP text Prometheus shows (docs/metrics-and-events.md's "meaning"). */
  readonly help: string;
  /** `src/...:line`, for messages. */
  readonly where: string;
}

/** Every product source file under `dir`: `.ts`, neither a test nor test support. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.test(-support)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

function unwrap(node: ts.Expression): ts.Expression {
  let n = node;
  while (ts.isAsExpression(n) || ts.isParenthesizedExpression(n) || ts.isSatisfiesExpression(n))
    n = n.expression;
  return n;
}

/** The initialiser of `const name = ...` declared anywhere in `file`. */
function constInitializer(file: ts.SourceFile, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === name &&
      node.initializer &&
      (ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const) !== 0
    ) {
      found = node.initializer;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** A property's value, following a shorthand or an identifier to its `const` in the same file. */
function propertyValue(
  file: ts.SourceFile,
  options: ts.ObjectLiteralExpression,
  key: string,
): ts.Expression | undefined {
  for (const p of options.properties) {
    if (!p.name || !ts.isIdentifier(p.name) || p.name.text !== key) continue;
    const value = ts.isShorthandPropertyAssignment(p)
      ? p.name
      : ts.isPropertyAssignment(p)
        ? p.initializer
        : undefined;
    if (!value) return undefined;
    const direct = unwrap(value);
    return ts.isIdentifier(direct) ? unwrap(constInitializer(file, direct.text) ?? direct) : direct;
  }
  return undefined;
}

/** A string literal, or literals joined by `+` (a long help text split over lines). */
function stringOf(node: ts.Expression | undefined): string | undefined {
  const n = node && unwrap(node);
  if (n && ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const [left, right] = [stringOf(n.left), stringOf(n.right)];
    return left === undefined || right === undefined ? undefined : left + right;
  }
  return n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined;
}

export function exportedMetrics(): ExportedMetric[] {
  const metrics: ExportedMetric[] = [];
  for (const path of sourceFiles(SRC)) {
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        METRIC_CLASSES.has(node.expression.text)
      ) {
        const where = `src/${relative(SRC, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const options = node.arguments?.[0] && unwrap(node.arguments[0]);
        if (!options || !ts.isObjectLiteralExpression(options))
          throw new Error(`${where}: metric options not an object literal`);
        const name = stringOf(propertyValue(file, options, 'name'));
        if (name === undefined)
          throw new Error(`${where}: metric name is not a string literal or a const of one`);
        const help = stringOf(propertyValue(file, options, 'help'));
        if (help === undefined)
          throw new Error(`${where}: help of ${name} is not a string literal or a const of one`);
        const labels = propertyValue(file, options, 'labelNames');
        const labelNames =
          labels === undefined
            ? []
            : ts.isArrayLiteralExpression(labels)
              ? labels.elements.map((e) => stringOf(e))
              : [undefined];
        if (labelNames.some((l) => l === undefined))
          throw new Error(`${where}: labelNames of ${name} are not string literals`);
        metrics.push({
          name,
          type: node.expression.text as MetricType,
          labelNames: labelNames as string[],
          help,
          where,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return metrics;
}

/** The series names Prometheus scrapes for a metric: histograms and summaries add suffixes. */
export function seriesNames(metric: ExportedMetric): string[] {
  if (metric.type === 'Histogram') return ['_bucket', '_sum', '_count'].map((s) => metric.name + s);
  if (metric.type === 'Summary') return [metric.name, metric.name + '_sum', metric.name + '_count'];
  return [metric.name];
}
