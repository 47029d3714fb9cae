// Seed 002's demo controller on the real control plane with kwok nodes: a pod is scheduled, becomes
// Ready, is relabelled and deleted, and the example logs each step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../src/devenv/index.ts';
import { loadKubeConfig, RESOURCES, resourceClient } from '../../../src/kube/index.ts';
import { runPodLifecycle } from '../../../examples/pod-lifecycle/main.ts';
import { memoryLogger, testCluster, type TestCluster } from './cluster.ts';

const WAIT = { timeoutMs: 90_000, intervalMs: 100 };

describe('pod-lifecycle example', () => {
  let c: TestCluster;
  before(async () => {
    c = await testCluster();
  });
  after(() => c.close());

  it('logs a pod being added, updated with what changed, and deleted', async () => {
    const ns = await c.namespace('podlife');
    const log = memoryLogger('info');
    const stop = new AbortController();
    const running = runPodLifecycle({
      kubeConfig: loadKubeConfig(c.cp.kubeconfigPath),
      logger: log.logger,
      signal: stop.signal,
      namespace: ns,
    });
    try {
      await waitFor(() => log.lines().some((l) => l.msg === 'pod cache synced; watching'), {
        what: 'example synced',
        ...WAIT,
      });
      const key = `${ns}/web`;
      const forKey = (msg: string) => log.lines().filter((l) => l.msg === msg && l.key === key);

      // The namespace's default ServiceAccount appears shortly after the namespace: retry until admitted.
      await waitFor(
        async () => {
          await resourceClient(c.api, RESOURCES.pods).create(
            {
              metadata: { name: 'web', labels: { app: 'web' } },
              spec: {
                containers: [{ name: 'app', image: 'registry.example/web:1' }],
                automountServiceAccountToken: false,
              },
            },
            { namespace: ns },
          );
          return true;
        },
        { what: 'pod admitted', ...WAIT },
      );
      await waitFor(() => forKey('pod added').length === 1, { what: 'pod added', ...WAIT });

      // The scheduler binds it to a kwok node and kwok makes it Running and Ready.
      const changes = () => forKey('pod updated').flatMap((l) => l.changes as string[]);
      await waitFor(
        () =>
          changes().some((ch) => /^phase .*→Running$/.test(ch)) &&
          changes().includes('container app ready false→true'),
        { what: 'updates to Running and Ready', ...WAIT },
      );
      assert.ok(
        changes().some((ch) => /^node \(none\)→kwok-node-\d$/.test(ch)) ||
          /^kwok-node-\d$/.test(String(forKey('pod added')[0]?.node)),
        `the node assignment was reported: ${changes().join('; ')}`,
      );

      await resourceClient(c.api, RESOURCES.pods).delete('web', { namespace: ns });
      await waitFor(() => forKey('pod deleted').length === 1, { what: 'pod deleted', ...WAIT });
      assert.equal(forKey('pod added').length, 1, 'added once');
    } finally {
      stop.abort();
      await running;
    }
  });
});
