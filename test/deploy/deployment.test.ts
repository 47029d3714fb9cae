// The Deployment of deploy/ runs what `lifeboat run` accepts: every argument is a flag of RUN_FLAGS
// (the definitions commander and the docs are generated from), and the whole argument list parses
// and validates as the real command would, so an operator's first `kubectl apply` cannot crash-loop
// on a misspelt or removed flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_FLAGS } from '../../src/cli/config/run-flags.ts';
import { parseRunArgs } from '../charts/rendered.ts';
import { manifestOf } from './manifests.ts';

interface Container {
  name: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}

interface Deployment {
  metadata: { namespace: string };
  spec: {
    replicas: number;
    template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
  };
}

function container(): Container {
  const containers = manifestOf<Deployment>('Deployment').spec.template.spec.containers;
  assert.equal(containers.length, 1);
  return containers[0]!;
}

/** `--x=v` → `--x`; `--no-x` → `--x` (booleans); anything else is not a flag of ours. */
function flagName(arg: string): string {
  const name = arg.split('=')[0]!;
  return name.startsWith('--no-') ? `--${name.slice('--no-'.length)}` : name;
}

test('the Deployment runs `lifeboat run` with flags RUN_FLAGS defines, and nothing else', () => {
  const [command, ...args] = container().args;
  assert.equal(command, 'run');
  const known = new Set<string>(RUN_FLAGS.map((f) => f.flag));
  const unknown = args.filter((arg) => !known.has(flagName(arg)));
  assert.deepEqual(unknown, [], `not flags of lifeboat run: ${unknown.join(' ')}`);
  // Every value is attached with `=`: a separate word would read as the positional `run` refuses.
  for (const arg of args) {
    const spec = RUN_FLAGS.find((f) => f.flag === flagName(arg))!;
    assert.equal(arg.includes('='), spec.arg !== undefined, `${arg}: value form does not match the flag`);
  }
});

test("the Deployment's arguments parse and validate as `lifeboat run` reads them", () => {
  const [, ...args] = container().args;
  const config = parseRunArgs(args);
  const deployment = manifestOf<Deployment>('Deployment');
  // The Lease and the push secret live in the namespace the manifests install into.
  assert.equal(config.lifeboatNamespace, deployment.metadata.namespace);
  assert.equal(config.leaderElect, true);
  // Probes and the Service reach the port /healthz, /readyz and /metrics are served on.
  const metricsPort = container().ports.find((p) => p.name === 'metrics')?.containerPort;
  assert.equal(Number(config.metricsAddr.slice(config.metricsAddr.lastIndexOf(':') + 1)), metricsPort);
});

test('the Deployment is highly available, probed, bounded and unprivileged', () => {
  const deployment = manifestOf<Deployment>('Deployment');
  const c = container();
  assert.equal(deployment.spec.replicas, 2);
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'metrics' });
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
  for (const key of ['cpu', 'memory']) {
    assert.ok(c.resources.requests[key], `requests.${key}`);
    assert.ok(c.resources.limits[key], `limits.${key}`);
  }
  assert.deepEqual(c.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
});

test("the PodDisruptionBudget keeps one replica through voluntary disruptions; it and the Service select the Deployment's pods", () => {
  const labels = manifestOf<{ spec: { template: { metadata: { labels: Record<string, string> } } } }>(
    'Deployment',
  ).spec.template.metadata.labels;
  const pdb = manifestOf<{
    spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
  }>('PodDisruptionBudget');
  assert.equal(pdb.spec.minAvailable, 1);
  const service = manifestOf<{ spec: { selector: Record<string, string> } }>('Service');
  for (const selector of [pdb.spec.selector.matchLabels, service.spec.selector]) {
    assert.ok(Object.keys(selector).length > 0);
    for (const [key, value] of Object.entries(selector)) assert.equal(labels[key], value, key);
  }
});
