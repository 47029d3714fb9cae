// docs/metrics-and-events.md is generated from src/ (scripts/metrics-and-events-doc.ts): these tests
// fail when it is stale, when an Event reason is never recorded or lacks its description, and when
// the source scan the generator relies on disagrees with what prom-client actually registers.
import { registerBuildInfo } from '../../src/controllers/build-info.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { EventReasons } from '../../src/controllers/api/event-reasons.ts';
import { copyMetrics } from '../../src/controllers/image-backups/metrics.ts';
import { pullSecretMetrics } from '../../src/controllers/pull-secrets/metrics.ts';
import { workloadMetrics } from '../../src/controllers/workloads/metrics.ts';
import { admissionMetrics } from '../../src/controllers/pod-admission/metrics.ts';
import {
  createController,
  createEventRecorder,
  createLeaderElector,
  createRateLimitingQueue,
  realClock,
  type KubeRequester,
} from '../../src/kube/index.ts';
import { informerMetrics } from '../../src/kube/informer-metrics.ts';
import { registryRequestMetrics } from '../../src/registry/index.ts';
import {
  controllerNames,
  eventReasonDocs,
  metricsAndEventsMarkdown,
  METRICS_AND_EVENTS_DOC,
} from '../../scripts/metrics-and-events-doc.ts';
import { exportedMetrics } from '../deploy/exported-metrics.ts';

it('docs/metrics-and-events.md is what the sources generate (npm run docs:metrics)', () => {
  assert.equal(readFileSync(METRICS_AND_EVENTS_DOC, 'utf8'), metricsAndEventsMarkdown());
});

it('documents every Event reason, in the order of event-reasons.ts, each recorded somewhere', () => {
  const docs = eventReasonDocs();
  assert.deepEqual(
    docs.map((d) => d.reason),
    Object.keys(EventReasons),
  );
  for (const [key, value] of Object.entries(EventReasons)) assert.equal(key, value, 'reason = its key');
  for (const d of docs) {
    assert.ok(d.when.length > 0, `${d.reason}: doc comment`);
    assert.ok(d.sites.length > 0, `${d.reason}: recorded nowhere in src/controllers`);
    for (const s of d.sites) assert.ok(s.type === 'Normal' || s.type === 'Warning', `${d.reason}: ${s.type}`);
  }
  const doc = metricsAndEventsMarkdown();
  for (const reason of Object.keys(EventReasons)) assert.ok(doc.includes(`| \`${reason}\` |`), reason);
});

it('documents every metric family src/ defines, once', () => {
  const doc = metricsAndEventsMarkdown();
  const names = exportedMetrics().map((m) => m.name);
  assert.ok(names.includes('lifeboat_copy_bytes_total') && names.includes('workqueue_depth'));
  for (const name of names) {
    const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${name}\` |`));
    assert.equal(rows.length, 1, name);
  }
});

it('the source scan agrees with prom-client on name, type, help and labels of every family', async () => {
  const registry = new Registry();
  const api = {} as KubeRequester; // nothing below sends a request
  copyMetrics(registry, () => []);
  registerBuildInfo(registry);
  pullSecretMetrics(registry, new Map());
  workloadMetrics(registry, () => []);
  admissionMetrics(registry);
  registryRequestMetrics(registry);
  informerMetrics(registry, 'docs');
  createRateLimitingQueue<string>({ name: 'docs', clock: realClock, registry }).shutDown();
  createController({ name: 'docs', workers: 1, reconcile: () => undefined, registry });
  createLeaderElector({
    api,
    namespace: 'ns',
    name: 'docs',
    identity: 'docs',
    registry,
    onStartedLeading() {},
  });
  await createEventRecorder({ api, identity: 'docs', registry }).close();

  const scanned = new Map(exportedMetrics().map((m) => [m.name, m]));
  // prom-client types these as MetricObject; each is a Metric with its options and `get`.
  const registered = registry.getMetricsAsArray() as unknown as {
    name: string;
    help: string;
    labelNames: string[];
    get(): Promise<{ type: string }>;
  }[];
  assert.deepEqual(
    registered.map((m) => m.name).sort(),
    [...scanned.keys()].sort(),
    'every family src/ defines is registered above, and nothing else',
  );
  for (const metric of registered) {
    const found = scanned.get(metric.name)!;
    const { type } = await metric.get();
    assert.equal(found.type.toLowerCase(), type, metric.name);
    assert.equal(found.help, metric.help, metric.name);
    assert.deepEqual(found.labelNames, metric.labelNames, metric.name);
  }
});

it('names the controllers lifeboat run starts', () => {
  assert.deepEqual(controllerNames(), ['image-backups', 'pull-secrets', 'workloads']);
});
