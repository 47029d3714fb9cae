// Imports flow one way through src/: a module imports its own layer (the directory right under src/)
// and the layers MAY_IMPORT lists for it, nothing else of ours. The product never imports the test
// tree, and product code never imports test code. Every .ts file is checked, tests included: a unit
// test in src/kube that reached for src/registry would couple the layers just the same.
// A test, not a lint rule: it needs the whole tree (which files are test support) and one table.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

/**
 * What each layer may import besides itself. `(root)` is a file directly in src/: only tests that
 * span the libraries live there (this one, error-classes.test.ts).
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[] | 'anything'>> = {
  '(root)': ['common', 'reference', 'registry', 'kube'],
  common: [],
  reference: ['common'],
  registry: ['common', 'reference'],
  kube: ['common', 'reference'],
  controllers: ['common', 'reference', 'registry', 'kube'],
  devenv: ['common', 'reference', 'registry', 'kube'],
  cli: 'anything',
};

/**
 * The controller folders under src/controllers/: each a loop of its own (controller.ts → decide.ts →
 * apply.ts) that shares only src/controllers/api/ (object shapes, the ImageBackup API, labels, Event
 * reasons) with the others. None imports another; the folders that are no controller may read them
 * all: `status/` (the read-only report of `lifeboat status` and `lifeboat dev`) and `protection/`
 * (`lifeboat verify`'s verdicts from the workload controller's own decision); `manager.ts` wires them.
 */
const CONTROLLER_FOLDERS: ReadonlySet<string> = new Set([
  'controllers/image-backups',
  'controllers/pull-secrets',
  'controllers/registry-tokens',
  'controllers/workloads',
]);

/** Paths are relative to src/, with `/` separators: `kube/informer.ts`. */
type SourceTree = ReadonlyMap<string, string>;

const isTest = (path: string): boolean => path.endsWith('.test.ts');

/** Test support by name: under `testing/`, or `fake-*.ts`, `*-fake.ts`, `*.test-support.ts`. */
const TEST_SUPPORT_PATH = /(^|\/)testing\/|(^|\/)fake-[^/]*\.ts$|-fake\.ts$|\.test-support\.ts$/;

/**
 * Code written for tests that is not itself a test: a module that imports node:test or node:assert
 * (product code reports errors, it does not assert), one under a `testing/` directory, or one named
 * `fake-*.ts`, `*-fake.ts` or `*.test-support.ts` (the fake clock, recording fakes).
 */
function isTestSupport(path: string, tree: SourceTree): boolean {
  if (isTest(path)) return false;
  if (TEST_SUPPORT_PATH.test(path)) return true;
  const source = tree.get(path);
  return source !== undefined && importsOf(source).some((spec) => /^node:(test|assert)(\/|$)/.test(spec));
}

/** Every module specifier of a file: static, type-only, re-exports and dynamic `import()` (not comments or strings). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function layerOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '(root)' : path.slice(0, slash);
}

/** One line per import that breaks a rule: `<file> imports <specifier>: <rule>`. */
function findViolations(tree: SourceTree): string[] {
  const found: string[] = [];
  for (const [path, source] of tree) {
    const layer = layerOf(path);
    const allowed = MAY_IMPORT[layer];
    for (const spec of importsOf(source)) {
      // Packages and node: builtins are not ours; only relative specifiers reach our own files.
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
      const say = (rule: string): void => void found.push(`src/${path} imports ${spec}: ${rule}`);
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      if (target.startsWith('../')) {
        say(`${target.slice(3)} is outside src/ (the product never imports test/, bench/ or the rest)`);
        continue;
      }
      if (allowed === undefined) {
        say(`src/${layer}/ is in no layer: add it to MAY_IMPORT`);
      } else {
        const to = layerOf(target);
        if (to !== layer && allowed !== 'anything' && !allowed.includes(to)) {
          say(`${layer} may import only ${[layer, ...allowed].join(', ')}`);
        }
      }
      const from = posix.dirname(path);
      const into = posix.dirname(target);
      if (CONTROLLER_FOLDERS.has(from) && into !== from && CONTROLLER_FOLDERS.has(into)) {
        say(`a controller folder imports a sibling (share it through controllers/api/)`);
      }
      if (!isTest(path) && !isTestSupport(path, tree) && (isTest(target) || isTestSupport(target, tree))) {
        say('product code imports test code');
      }
    }
  }
  return found;
}

/**
 * Each cycle between folders (`kube` → `kube/workqueue` → `kube` is one): a folder reached from itself
 * through the imports of its files. Reported once per cycle, as its folders from the
 * alphabetically first, joined by ` → `. Folders, not files: a cycle of files inside one folder is
 * that folder's own business, but folders that import each other are one folder in disguise. Product
 * code only: a test in a subfolder may drive the whole package from above.
 */
function findFolderCycles(tree: SourceTree): string[] {
  const edges = new Map<string, Set<string>>();
  for (const [path, source] of tree) {
    if (isTest(path) || isTestSupport(path, tree)) continue;
    const from = posix.dirname(path);
    for (const spec of importsOf(source)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
      const into = posix.dirname(posix.normalize(posix.join(from, spec)));
      if (into === from || into.startsWith('..')) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(into);
    }
  }
  const cycles = new Set<string>();
  const walk = (start: string, at: string, path: readonly string[]): void => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) {
        cycles.add([...path, start].join(' → '));
      } else if (next > start && !path.includes(next) && path.length < 16) {
        walk(start, next, [...path, next]);
      }
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, start, [start]);
  return [...cycles].sort();
}

function readSourceTree(): Map<string, string> {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const tree = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const path = entry.split(/[\\/]/).join('/');
    if (path.endsWith('.ts')) tree.set(path, readFileSync(posix.join(root, path), 'utf8'));
  }
  return tree;
}

describe('import boundaries', () => {
  it('src/ as it stands breaks none', () => {
    const tree = readSourceTree();
    // The walk must have found the tree: an empty one would pass trivially.
    assert.ok(
      tree.has('cli/dev.ts') && tree.has('kube/informer.ts'),
      `read only ${[...tree.keys()].join(', ')}`,
    );
    assert.deepEqual(findViolations(tree), []);
    assert.deepEqual(findFolderCycles(tree), []);
  });

  it('allows imports down the layers, within a layer, and anything from cli', () => {
    const tree = new Map([
      ['common/errors.ts', ''],
      ['reference/parse.ts', "import { LifeboatError } from '../common/errors.ts';"],
      ['registry/client.ts', "import '../reference/parse.ts'; import './types.ts';"],
      ['kube/informer.ts', "import type { X } from '../reference/parse.ts'; import '../common/errors.ts';"],
      ['controllers/backup.ts', "import '../registry/client.ts'; import '../kube/informer.ts';"],
      ['devenv/registry.ts', "import '../registry/client.ts';"],
      ['cli/dev.ts', "const env = await import('../devenv/registry.ts'); import '../controllers/backup.ts';"],
      ['kube/workqueue/fake-clock.ts', "import type { Clock } from './clock.ts';"],
      ['kube/workqueue/queue.test.ts', "import assert from 'node:assert'; import './fake-clock.ts';"],
    ]);
    assert.deepEqual(findViolations(tree), []);
  });

  it('reports each kind of violation', () => {
    const tree = new Map([
      ['common/errors.ts', "import '../reference/parse.ts';"],
      ['reference/parse.ts', "import { Resource } from '../kube/resource.ts';"],
      ['registry/client.ts', "import type { Informer } from '../kube/informer.ts';"],
      ['kube/informer.ts', "export * from '../registry/client.ts';"],
      ['controllers/backup.ts', "import '../cli/main.ts';"],
      ['devenv/registry.ts', "import '../controllers/backup.ts';"],
      ['cli/dev.ts', "const env = await import('../../test/env/index.ts');"],
      ['cli/bench.ts', "import { run } from '../../bench/copy/main.ts';"],
      ['widgets/thing.ts', "import '../common/errors.ts';"],
      ['kube/clock.ts', "import { FakeClock } from './workqueue/fake-clock.ts';"],
      ['kube/workqueue/fake-clock.ts', ''],
      ['registry/copy/plan.ts', "import { memoryRegistry } from './memory-registry.ts';"],
      ['registry/copy/memory-registry.ts', "import assert from 'node:assert/strict';"],
      ['registry/copy/scheduler.ts', "import { cases } from './plan.test.ts';"],
      ['registry/copy/plan.test.ts', ''],
    ]);
    assert.deepEqual(findViolations(tree), [
      'src/common/errors.ts imports ../reference/parse.ts: common may import only common',
      'src/reference/parse.ts imports ../kube/resource.ts: reference may import only reference, common',
      'src/registry/client.ts imports ../kube/informer.ts: registry may import only registry, common, reference',
      'src/kube/informer.ts imports ../registry/client.ts: kube may import only kube, common, reference',
      'src/controllers/backup.ts imports ../cli/main.ts: controllers may import only controllers, common, reference, registry, kube',
      'src/devenv/registry.ts imports ../controllers/backup.ts: devenv may import only devenv, common, reference, registry, kube',
      'src/cli/dev.ts imports ../../test/env/index.ts: test/env/index.ts is outside src/ (the product never imports test/, bench/ or the rest)',
      'src/cli/bench.ts imports ../../bench/copy/main.ts: bench/copy/main.ts is outside src/ (the product never imports test/, bench/ or the rest)',
      'src/widgets/thing.ts imports ../common/errors.ts: src/widgets/ is in no layer: add it to MAY_IMPORT',
      'src/kube/clock.ts imports ./workqueue/fake-clock.ts: product code imports test code',
      'src/registry/copy/plan.ts imports ./memory-registry.ts: product code imports test code',
      'src/registry/copy/scheduler.ts imports ./plan.test.ts: product code imports test code',
    ]);
  });

  it('reports a controller folder that imports a sibling, and each cycle between folders once', () => {
    const tree = new Map([
      ['controllers/api/labels.ts', ''],
      ['controllers/workloads/controller.ts', "import '../api/labels.ts'; import '../pull-secrets/plan.ts';"],
      ['controllers/pull-secrets/plan.ts', "import '../api/labels.ts';"],
      ['controllers/status/report.ts', "import '../workloads/controller.ts';"],
      ['controllers/protection/verdict.ts', "import '../workloads/decide.ts';"],
      ['kube/informer.ts', "import './workqueue/queue.ts';"],
      ['kube/workqueue/queue.ts', "import '../informer.ts';"],
      ['registry/a/x.ts', "import '../b/y.ts';"],
      ['registry/b/y.ts', "import '../c/z.ts';"],
      ['registry/c/z.ts', "import '../a/x.ts'; import '../a/w.ts';"],
      ['registry/c/z.test.ts', "import '../z.ts';"],
      ['registry/z.ts', "import './c/z.ts';"],
    ]);
    assert.deepEqual(findViolations(tree), [
      'src/controllers/workloads/controller.ts imports ../pull-secrets/plan.ts: a controller folder imports a sibling (share it through controllers/api/)',
    ]);
    assert.deepEqual(findFolderCycles(tree), [
      'kube → kube/workqueue → kube',
      'registry/a → registry/b → registry/c → registry/a',
    ]);
  });
});
