// Every flag of `lifeboat run` is a value of charts/lifeboat or deliberately not one, and the
// arguments the chart renders parse with RUN_FLAGS into exactly what the values say: a flag added to
// RUN_FLAGS fails here until the chart takes it (or this table says why it does not).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RUN_FLAGS } from '../../src/cli/config/run-flags.ts';
import { renderChart } from '../../scripts/chart.ts';
import { controllerArgs, EVERY_VALUE_FILE, parseRunArgs } from './rendered.ts';

const NAMESPACE = 'boats';
/** Where the chart mounts the registryCA ConfigMap (the `--registry-ca` files). */
const CA_DIR = '/etc/lifeboat/registry-ca';

type Source =
  /** The flag is the value at this path of values.yaml; `text` gives the flag's text from it. */
  | { readonly value: string; readonly text?: (value: unknown) => string }
  /** Rendered from the release, not a value. */
  | { readonly fixed: string; readonly text: string }
  /** Never rendered, and why. */
  | { readonly omitted: string };

const secretRef = (name: unknown): string => `${NAMESPACE}/${String(name)}`;
const caFiles = (keys: unknown): string => (keys as string[]).map((k) => `${CA_DIR}/${k}`).join(',');

const FLAGS: Readonly<Record<string, Source>> = {
  '--kubeconfig': { omitted: 'the pod uses its in-cluster ServiceAccount' },
  '--kube-api-qps': { value: 'kubeApi.qps' },
  '--kube-api-burst': { value: 'kubeApi.burst' },
  '--context': { omitted: 'the pod uses its in-cluster ServiceAccount' },
  '--lifeboat-namespace': { fixed: 'the release namespace (its Lease and its secrets)', text: NAMESPACE },
  '--backup-registry': { value: 'backup.registry' },
  '--backup-pull-secret': { value: 'backup.pullSecret', text: secretRef },
  '--pull-secret-name': { value: 'pullSecrets.name' },
  '--pull-secret-service-accounts': { value: 'pullSecrets.serviceAccounts' },
  '--exclude-namespaces': { value: 'excludeNamespaces' },
  '--namespace-selector': { value: 'namespaceSelector' },
  '--max-rewrites-per-minute': { value: 'maxRewritesPerMinute' },
  '--flatten': { value: 'backup.flatten' },
  '--backup-push-secret': { value: 'backup.pushSecret', text: secretRef },
  '--source-credentials': { value: 'sourceCredentials', text: secretRef },
  '--kinds': { value: 'kinds' },
  '--exclude-images': { value: 'excludeImages' },
  '--source-registries': { value: 'sourceRegistries' },
  '--require-ready': { value: 'requireReady' },
  '--platforms': { value: 'platforms' },
  '--pin-digest': { value: 'pinDigest' },
  '--max-concurrent-copies': { value: 'maxConcurrentCopies' },
  '--source-check-interval': { value: 'sourceChecks.interval' },
  '--source-check-qps': { value: 'sourceChecks.qps' },
  '--on-source-change': { value: 'onSourceChange' },
  '--insecure-registries': { value: 'insecureRegistries' },
  '--registry-ca': { value: 'registryCA.keys', text: caFiles },
  '--private-images': { value: 'privateImages' },
  '--token-addr': { value: 'tokenService.port', text: (port) => `:${String(port)}` },
  '--token-tls-secret': { value: 'tokenService.tlsSecret', text: secretRef },
  '--token-signing-secret': { value: 'tokenService.signingSecret', text: secretRef },
  '--token-issuer': { value: 'tokenService.issuer' },
  '--token-service': { value: 'tokenService.service' },
  '--rewrite-mode': { value: 'rewriteMode' },
  '--webhook-addr': { value: 'webhook.port', text: (port) => `:${String(port)}` },
  '--webhook-service': {
    fixed: 'the webhook Service the chart renders beside the Deployment',
    text: `${NAMESPACE}/boat-webhook`,
  },
  '--webhook-url': { omitted: 'in a cluster the API server reaches the webhook through its Service' },
  '--webhook-cert-secret': { value: 'webhook.certSecret' },
  '--webhook-cert-managed-externally': { value: 'webhook.certManager.enabled' },
  '--webhook-cert-lifetime': { value: 'webhook.certLifetime' },
  '--dry-run': { value: 'dryRun' },
  '--install-crds': {
    omitted: 'the chart installs the CRD (crds.install), so the controller needs no right on CRDs',
  },
  '--leader-elect': { fixed: 'always: the replicas share one Lease', text: 'true' },
  '--metrics-addr': { value: 'metrics.port', text: (port) => `:${String(port)}` },
  '--log-format': { value: 'log.format' },
  '--log-level': { value: 'log.level' },
};

const EVERY_VALUE = JSON.parse(readFileSync(EVERY_VALUE_FILE, 'utf8')) as Record<string, unknown>;
const valueAt = (path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], EVERY_VALUE);
const flagText = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));
const specOf = (flag: string) => RUN_FLAGS.find((f) => f.flag === flag)!;

/** `--flag` given `text` as one argument (booleans as `--flag`/`--no-flag`). */
function argument(flag: string, text: string): string[] {
  if (specOf(flag).arg === undefined) return [text === 'true' ? flag : `--no-${flag.slice(2)}`];
  if (specOf(flag).repeatable) return text.split(',').map((t) => `${flag}=${t}`);
  return [`${flag}=${text}`];
}

describe("charts/lifeboat's `lifeboat run` values", () => {
  it('covers every flag of RUN_FLAGS, each as a value or deliberately not', () => {
    assert.deepEqual(Object.keys(FLAGS).sort(), RUN_FLAGS.map((f) => f.flag).sort());
  });

  it('renders arguments that parse into what a values file setting every value says, flag by flag', () => {
    // The CA files are read at start: stand them up where the arguments will point.
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-chart-ca-'));
    try {
      const atDir = (arg: string): string => arg.replaceAll(CA_DIR, dir);
      for (const key of valueAt('registryCA.keys') as string[]) writeFileSync(join(dir, key), 'PEM');
      const args = controllerArgs(
        renderChart({ release: 'fleet', namespace: NAMESPACE, valuesFiles: [EVERY_VALUE_FILE] }),
      );
      assert.equal(args[0], 'run');
      const config = parseRunArgs(args.slice(1).map(atDir));
      const baseline = parseRunArgs(['--backup-registry=r.example']);
      for (const spec of RUN_FLAGS) {
        const source = FLAGS[spec.flag];
        assert.ok(source, `${spec.flag} is in the table`);
        if ('omitted' in source) {
          assert.ok(!args.some((a) => a.startsWith(spec.flag)), `${spec.flag} is not rendered`);
          continue;
        }
        const text = 'fixed' in source ? source.text : (source.text ?? flagText)(valueAt(source.value));
        const expected = parseRunArgs([
          '--backup-registry=r.example',
          ...argument(spec.flag, text).map(atDir),
        ]);
        const key = spec.key;
        if (spec.flag !== '--backup-registry') {
          assert.deepEqual(config[key], expected[key], `${spec.flag} is ${text}`);
        } else {
          assert.deepEqual(config.backupRegistry, parseRunArgs([`--backup-registry=${text}`]).backupRegistry);
        }
        // The values file changes every value flag from its default, so each check can fail.
        if ('value' in source)
          assert.notDeepEqual(config[key], baseline[key], `${spec.flag} differs from its default`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
