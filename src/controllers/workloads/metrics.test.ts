import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { leadershipOf } from '../../kube/index.ts';
import { workloadMetrics } from './metrics.ts';
import type { Protection } from './protection.ts';

async function gauge(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('lifeboat_workloads')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.protection), v.value]));
}

it('lifeboat_workloads counts the protections it is given when scraped, every label present', async () => {
  const registry = new Registry();
  let now: Protection[] = ['protected', 'exposed', 'exposed'];
  workloadMetrics(registry, () => now);
  assert.deepEqual(await gauge(registry), { protected: 1, exposed: 2, excluded: 0 });
  now = ['excluded'];
  assert.deepEqual(
    await gauge(registry),
    { protected: 0, exposed: 0, excluded: 1 },
    'read again at each scrape',
  );
});

it('two controllers reporting into one registry add up', async () => {
  const registry = new Registry();
  const a = workloadMetrics(registry, () => ['protected']);
  workloadMetrics(registry, () => ['protected', 'excluded']);
  assert.deepEqual(await gauge(registry), { protected: 2, exposed: 0, excluded: 1 });
  a.rewrite('Deployment', 'rewritten');
  assert.match(await registry.metrics(), /lifeboat_rewrites_total\{kind="Deployment",result="rewritten"\} 1/);
});

it('records nothing without a registry', () => {
  let asked = 0;
  workloadMetrics(undefined, () => {
    asked++;
    return [];
  }).rewrite('CronJob', 'conflict');
  assert.equal(asked, 0);
});

it('lifeboat_workloads is exported by the leader only (every replica holds the same caches)', async () => {
  const registry = new Registry();
  workloadMetrics(registry, () => ['protected']);
  leadershipOf(registry).leading = false;
  assert.deepEqual(await gauge(registry), {});
  leadershipOf(registry).leading = true;
  assert.deepEqual(await gauge(registry), { protected: 1, exposed: 0, excluded: 0 });
});
