// installWebhookConfiguration against the real API server: what `lifeboat run --rewrite-mode=pods`
// does at start and at each check. It writes only when the webhooks differ (the API server's own
// defaults are no difference), puts `--namespace-selector` into the namespaceSelector, and a
// replacement keeps the labels and annotations others put on the object (the chart's, Helm's,
// cert-manager's inject-ca-from). The selector used here matches no namespace, so the object never
// sends another suite's Pods anywhere while it exists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLabelSelector, resourceClient } from '../../../src/kube/index.ts';
import {
  installWebhookConfiguration,
  MUTATING_WEBHOOK_CONFIGURATIONS,
  removeWebhookConfiguration,
  webhookConfiguration,
  type MutatingWebhookConfiguration,
} from '../../../src/controllers/pod-admission/webhook-configuration.ts';
import { testCluster, type TestCluster } from '../kube/cluster.ts';

const CA = '-----BEGIN CERTIFICATE-----\nnot parsed by the API server\n-----END CERTIFICATE-----\n';
const NOWHERE = 'lifeboat-test/never=matched';

describe('the MutatingWebhookConfiguration lifeboat run installs', () => {
  let cluster: TestCluster;
  const client = () =>
    resourceClient<MutatingWebhookConfiguration>(cluster.api, MUTATING_WEBHOOK_CONFIGURATIONS);
  const desired = (selector: string) =>
    webhookConfiguration({
      endpoint: { url: 'https://127.0.0.1:1' },
      caBundle: CA,
      excludedNamespaces: new Set(['kube-system']),
      namespaceSelector: parseLabelSelector(selector),
    });

  before(async () => {
    cluster = await testCluster();
    await removeWebhookConfiguration(cluster.api);
  });
  after(async () => {
    await removeWebhookConfiguration(cluster.api);
    await cluster.close();
  });

  it('carries --namespace-selector, writes only on a difference, and keeps the labels and annotations others set', async () => {
    assert.equal(await installWebhookConfiguration(cluster.api, desired(NOWHERE)), true, 'created');
    const created = await client().get('lifeboat');
    const selector = created.webhooks[0]?.namespaceSelector as { matchExpressions: unknown[] };
    assert.deepEqual(selector.matchExpressions.at(-1), {
      key: 'lifeboat-test/never',
      operator: 'In',
      values: ['matched'],
    });
    assert.equal(await installWebhookConfiguration(cluster.api, desired(NOWHERE)), false, 'no difference');

    // What the chart and cert-manager put on the object.
    await client().replace({
      ...created,
      metadata: {
        ...created.metadata,
        labels: { ...created.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { 'cert-manager.io/inject-ca-from': 'boats/fleet-lifeboat-webhook' },
      },
    });
    const narrower = `${NOWHERE},lifeboat-test/also`;
    assert.equal(await installWebhookConfiguration(cluster.api, desired(narrower)), true, 'updated');
    const updated = await client().get('lifeboat');
    assert.equal(updated.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm');
    assert.equal(
      updated.metadata.annotations?.['cert-manager.io/inject-ca-from'],
      'boats/fleet-lifeboat-webhook',
    );
    const expressions = (updated.webhooks[0]?.namespaceSelector as { matchExpressions: unknown[] })
      .matchExpressions;
    assert.deepEqual(expressions.at(-1), { key: 'lifeboat-test/also', operator: 'Exists' });
  });
});
