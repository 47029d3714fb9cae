// charts/lifeboat in `rewriteMode: pods` (issue 17): the MutatingWebhookConfiguration it renders is
// the one `lifeboat run` installs (webhook-configuration.ts builds both sides' fields), its Service
// reaches the container's webhook port, and the RBAC grants the webhook's rights in pods mode only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart, type RenderedObject } from '../../scripts/chart.ts';
import { parseRunArgs, controllerArgs, REQUIRED_VALUES } from './rendered.ts';
import { webhookConfiguration } from '../../src/controllers/pod-admission/webhook-configuration.ts';
import { excludedNamespaces } from '../../src/cli/config/run-flags.ts';

const RELEASE = { release: 'fleet', namespace: 'boats' } as const;
const PODS = { ...REQUIRED_VALUES, rewriteMode: 'pods', excludeNamespaces: ['scratch'] };

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}
const find = (objects: RenderedObject[], kind: string, name?: string): RenderedObject | undefined =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const rulesOf = (objects: RenderedObject[], kind: string): Rule[] =>
  (find(objects, kind)?.rules ?? []) as Rule[];

describe('charts/lifeboat in rewriteMode pods', () => {
  it('renders the webhook configuration lifeboat run installs, minus the caBundle lifeboat fills in', () => {
    const objects = renderChart({ ...RELEASE, values: PODS });
    const rendered = find(objects, 'MutatingWebhookConfiguration', 'lifeboat');
    assert.ok(rendered, 'a MutatingWebhookConfiguration named lifeboat');
    const config = parseRunArgs(controllerArgs(objects).slice(1));
    assert.equal(config.rewriteMode, 'pods');
    assert.deepEqual(config.webhookService, { namespace: 'boats', name: 'fleet-lifeboat-webhook' });
    const built = webhookConfiguration({
      endpoint: { service: config.webhookService },
      caBundle: '',
      excludedNamespaces: excludedNamespaces(config),
    });
    const withoutCa = (w: Record<string, unknown>) => {
      const { caBundle: _ca, ...clientConfig } = w.clientConfig as Record<string, unknown>;
      return { ...w, clientConfig };
    };
    assert.deepEqual(
      (rendered.webhooks as Record<string, unknown>[]).map(withoutCa),
      built.webhooks.map(withoutCa),
    );
  });

  it("serves the webhook through a Service on the container's webhook port", () => {
    const objects = renderChart({ ...RELEASE, values: { ...PODS, webhook: { port: 10443 } } });
    const service = find(objects, 'Service', 'fleet-lifeboat-webhook') as
      { spec?: { ports: unknown[] } } | undefined;
    assert.deepEqual(service?.spec?.ports, [
      { name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' },
    ]);
    const args = controllerArgs(objects);
    assert.ok(args.includes('--webhook-addr=:10443'), args.join(' '));
    assert.ok(args.includes('--no-webhook-cert-managed-externally'), args.join(' '));
  });

  it('grants the webhook configuration and certificate Secret rights in pods mode only', () => {
    const granted = (objects: RenderedObject[]) =>
      [...rulesOf(objects, 'ClusterRole'), ...rulesOf(objects, 'Role')].flatMap((r) =>
        r.resources
          .filter(
            (res) =>
              res === 'mutatingwebhookconfigurations' ||
              (res === 'secrets' && r.resourceNames?.includes('lifeboat-webhook-tls')),
          )
          .flatMap((res) => r.verbs.map((v) => `${res} ${v}`)),
      );
    assert.deepEqual(granted(renderChart({ ...RELEASE, values: REQUIRED_VALUES })), []);
    assert.deepEqual(granted(renderChart({ ...RELEASE, values: PODS })).sort(), [
      'mutatingwebhookconfigurations create',
      'mutatingwebhookconfigurations delete',
      'mutatingwebhookconfigurations get',
      'mutatingwebhookconfigurations update',
      'secrets delete',
      'secrets get',
      'secrets list',
      'secrets update',
      'secrets watch',
    ]);
    const kinds = renderChart({ ...RELEASE, values: REQUIRED_VALUES }).map((o) => o.kind);
    assert.ok(!kinds.includes('MutatingWebhookConfiguration'));
  });

  it('with cert-manager: a Certificate for the Service names (self-signed Issuer by default), CA injected, lifeboat hands off', () => {
    const objects = renderChart({
      ...RELEASE,
      values: { ...PODS, webhook: { certManager: { enabled: true } } },
    });
    const certificate = find(objects, 'Certificate') as { spec?: Record<string, unknown> } | undefined;
    assert.deepEqual(certificate?.spec, {
      secretName: 'lifeboat-webhook-tls',
      dnsNames: ['fleet-lifeboat-webhook.boats.svc', 'fleet-lifeboat-webhook.boats.svc.cluster.local'],
      issuerRef: { name: 'fleet-lifeboat-webhook', kind: 'Issuer' },
    });
    assert.deepEqual((find(objects, 'Issuer') as { spec?: unknown } | undefined)?.spec, { selfSigned: {} });
    const config = find(objects, 'MutatingWebhookConfiguration') as {
      metadata: { annotations?: Record<string, string> };
    };
    assert.equal(
      config.metadata.annotations?.['cert-manager.io/inject-ca-from'],
      'boats/fleet-lifeboat-webhook',
    );
    assert.equal(parseRunArgs(controllerArgs(objects).slice(1)).webhookCertManagedExternally, true);
    const withIssuer = renderChart({
      ...RELEASE,
      values: {
        ...PODS,
        webhook: { certManager: { enabled: true, issuerRef: { name: 'corp', kind: 'ClusterIssuer' } } },
      },
    });
    assert.equal(find(withIssuer, 'Issuer'), undefined);
  });
});
