import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { leadershipOf } from '../../kube/index.ts';
import { pullSecretMetrics, type NamespaceState } from './metrics.ts';

it('lifeboat_pull_secret_namespaces is exported by the leader only (every replica holds the same caches)', async () => {
  const registry = new Registry();
  pullSecretMetrics(registry, new Map<string, NamespaceState>([['a', 'synced']]));
  leadershipOf(registry).leading = false;
  assert.doesNotMatch(await registry.metrics(), /^lifeboat_pull_secret_namespaces\{/m);
  leadershipOf(registry).leading = true;
  assert.match(await registry.metrics(), /^lifeboat_pull_secret_namespaces\{state="synced"\} 1$/m);
});
