import { parseLabelSelector } from '../../kube/index.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { addFlags, readConfig } from './commander.ts';
import { ConfigError, envNameOf, envOf } from './flag.ts';
import { KUBE_API_DEFAULTS } from '../../kube/index.ts';
import { RESTORE_FLAGS } from './restore-flags.ts';
import {
  backupMappingOf,
  checkTokenFlags,
  RUN_FLAGS,
  webhookEndpointOf,
  type RunConfig,
} from './run-flags.ts';
import { STATUS_FLAGS } from './status-flags.ts';

/** Parses `args` as `lifeboat run` would, with `env` as the environment. */
function parse(args: string[], env: Record<string, string> = {}): RunConfig {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('LIFEBOAT_')) delete process.env[key];
  Object.assign(process.env, env);
  try {
    const command = addFlags(new Command('run').exitOverride(), RUN_FLAGS);
    command.parse(args, { from: 'user' });
    return readConfig(command, RUN_FLAGS, process.env);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function refusal(args: string[], env: Record<string, string> = {}): ConfigError {
  try {
    parse(args, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail(`accepted ${args.join(' ')}`);
}

const REQUIRED = ['--backup-registry', 'backup.example.com/lifeboat'];
/** Any readable file stands for a CA bundle: the config checks only that it can be read. */
const CA_FILE = fileURLToPath(import.meta.url);

describe('lifeboat run configuration', () => {
  it('applies the defaults', () => {
    const c = parse(REQUIRED);
    assert.equal(c.lifeboatNamespace, 'lifeboat-system');
    assert.equal(c.backupRegistry.backupRegistry, 'backup.example.com');
    assert.equal(c.backupRegistry.prefix, 'lifeboat');
    assert.equal(c.backupPullSecret, undefined);
    assert.equal(c.pullSecretName, 'lifeboat-pull');
    assert.deepEqual(c.pullSecretServiceAccounts, ['default']);
    assert.deepEqual(c.excludeNamespaces, []);
    assert.equal(c.leaderElect, true);
    assert.equal(c.metricsAddr, ':8080');
    assert.equal(c.logFormat, 'json');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.flatten, false);
    assert.equal(c.backupPushSecret, undefined);
    assert.equal(c.sourceCredentials, undefined);
    assert.deepEqual(c.kinds, ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob']);
    assert.deepEqual(c.excludeImages, []);
    assert.deepEqual(c.sourceRegistries, []);
    assert.equal(c.requireReady, true);
    assert.deepEqual(c.platforms, []);
    assert.equal(c.pinDigest, true);
    assert.equal(c.maxConcurrentCopies, 4);
    assert.equal(c.sourceCheckInterval, 6 * 3_600_000);
    assert.equal(c.sourceCheckQps, 1);
    assert.equal(c.onSourceChange, 'keep');
    assert.deepEqual(c.insecureRegistries, []);
    assert.deepEqual(c.registryCa, []);
    assert.equal(c.dryRun, false);
    assert.equal(c.installCrds, false);
    assert.equal(c.kubeApiQps, 100);
    assert.equal(c.kubeApiBurst, 200);
    assert.equal(c.namespaceSelector, undefined, 'every namespace');
    assert.equal(c.maxRewritesPerMinute, 60);
    assert.deepEqual(backupMappingOf(c), {
      backupRegistry: 'backup.example.com',
      prefix: 'lifeboat',
      flatten: false,
    });
    assert.ok(Object.isFrozen(c));
  });

  it('reads --source-check-interval as a duration; 0 disables checks', () => {
    for (const [text, ms] of [
      ['0', 0],
      ['6h', 21_600_000],
      ['90m', 5_400_000],
      ['1h30m', 5_400_000],
      ['45s', 45_000],
      ['1.5h', 5_400_000],
    ] as const)
      assert.equal(parse([...REQUIRED, '--source-check-interval', text]).sourceCheckInterval, ms, text);
  });

  it('reads every flag from its LIFEBOAT_* variable', () => {
    const c = parse([], {
      LIFEBOAT_BACKUP_REGISTRY: 'localhost:5000',
      LIFEBOAT_OWN_NAMESPACE: 'ops',
      LIFEBOAT_BACKUP_PULL_SECRET: 'ops/pull',
      LIFEBOAT_PULL_SECRET_NAME: 'backup-pull',
      LIFEBOAT_PULL_SECRET_SERVICE_ACCOUNTS: 'default,builder',
      LIFEBOAT_EXCLUDE_NAMESPACES: 'a, b',
      LIFEBOAT_LEADER_ELECT: 'false',
      LIFEBOAT_METRICS_ADDR: '127.0.0.1:9090',
      LIFEBOAT_LOG_FORMAT: 'text',
      LIFEBOAT_LOG_LEVEL: 'debug',
      LIFEBOAT_KUBECONFIG: '/tmp/kc',
      LIFEBOAT_CONTEXT: 'staging',
      LIFEBOAT_FLATTEN: 'yes',
      LIFEBOAT_BACKUP_PUSH_SECRET: 'ops/push',
      LIFEBOAT_SOURCE_CREDENTIALS: 'ops/hub',
      LIFEBOAT_PRIVATE_IMAGES: 'isolated',
      LIFEBOAT_KINDS: 'deployment,CRONJOB',
      LIFEBOAT_EXCLUDE_IMAGES: 'docker.io/**,quay.io/team/*:1.*',
      LIFEBOAT_SOURCE_REGISTRIES: 'ghcr.io,registry.local:5000',
      LIFEBOAT_REQUIRE_READY: 'off',
      LIFEBOAT_PLATFORMS: 'linux/amd64,linux/arm64/v8',
      LIFEBOAT_PIN_DIGEST: '0',
      LIFEBOAT_MAX_CONCURRENT_COPIES: '2',
      LIFEBOAT_SOURCE_CHECK_INTERVAL: '1h30m',
      LIFEBOAT_SOURCE_CHECK_QPS: '0.5',
      LIFEBOAT_ON_SOURCE_CHANGE: 'follow',
      LIFEBOAT_INSECURE_REGISTRIES: 'localhost:5000',
      LIFEBOAT_REGISTRY_CA: CA_FILE,
      LIFEBOAT_DRY_RUN: 'true',
      LIFEBOAT_INSTALL_CRDS: 'on',
      LIFEBOAT_KUBE_API_QPS: '12.5',
      LIFEBOAT_KUBE_API_BURST: '30',
      LIFEBOAT_NAMESPACE_SELECTOR: 'lifeboat.dev/enabled=true',
      LIFEBOAT_MAX_REWRITES_PER_MINUTE: '0',
      LIFEBOAT_TOKEN_ADDR: ':8443',
      LIFEBOAT_TOKEN_TLS_SECRET: 'ops/token-tls',
      LIFEBOAT_TOKEN_SIGNING_SECRET: 'ops/token-signer',
      LIFEBOAT_TOKEN_ISSUER: 'issuer',
      LIFEBOAT_TOKEN_SERVICE: 'registry',
      LIFEBOAT_REWRITE_MODE: 'pods',
      LIFEBOAT_WEBHOOK_ADDR: '127.0.0.1:9444',
      LIFEBOAT_WEBHOOK_URL: 'https://127.0.0.1:9444',
      LIFEBOAT_WEBHOOK_CERT_SECRET: 'hook-tls',
      LIFEBOAT_WEBHOOK_CERT_MANAGED_EXTERNALLY: 'true',
      LIFEBOAT_WEBHOOK_CERT_LIFETIME: '2h',
    });
    assert.deepEqual(
      { ...c, backupRegistry: c.backupRegistry.backupRegistry },
      {
        kubeconfig: '/tmp/kc',
        context: 'staging',
        lifeboatNamespace: 'ops',
        backupRegistry: 'localhost:5000',
        backupPullSecret: { namespace: 'ops', name: 'pull' },
        pullSecretName: 'backup-pull',
        pullSecretServiceAccounts: ['default', 'builder'],
        excludeNamespaces: ['a', 'b'],
        leaderElect: false,
        metricsAddr: '127.0.0.1:9090',
        logFormat: 'text',
        logLevel: 'debug',
        flatten: true,
        backupPushSecret: { namespace: 'ops', name: 'push' },
        sourceCredentials: { namespace: 'ops', name: 'hub' },
        privateImages: 'isolated',
        kinds: ['Deployment', 'CronJob'],
        excludeImages: ['docker.io/**', 'quay.io/team/*:1.*'],
        sourceRegistries: ['ghcr.io', 'registry.local:5000'],
        requireReady: false,
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        pinDigest: false,
        maxConcurrentCopies: 2,
        sourceCheckInterval: 5_400_000,
        sourceCheckQps: 0.5,
        onSourceChange: 'follow',
        insecureRegistries: ['localhost:5000'],
        registryCa: [CA_FILE],
        dryRun: true,
        installCrds: true,
        kubeApiQps: 12.5,
        kubeApiBurst: 30,
        namespaceSelector: parseLabelSelector('lifeboat.dev/enabled=true'),
        maxRewritesPerMinute: 0,
        tokenAddr: ':8443',
        tokenTlsSecret: { namespace: 'ops', name: 'token-tls' },
        tokenSigningSecret: { namespace: 'ops', name: 'token-signer' },
        tokenIssuer: 'issuer',
        tokenService: 'registry',
        rewriteMode: 'pods',
        webhookAddr: '127.0.0.1:9444',
        webhookService: undefined,
        webhookUrl: 'https://127.0.0.1:9444',
        webhookCertSecret: 'hook-tls',
        webhookCertManagedExternally: true,
        webhookCertLifetime: 7_200_000,
      },
    );
    assert.deepEqual(webhookEndpointOf(c), { url: 'https://127.0.0.1:9444' });
    assert.deepEqual(backupMappingOf(c), { backupRegistry: 'localhost:5000', prefix: '', flatten: true });
  });

  it('--private-images=isolated needs --token-addr and both token Secrets, naming the missing flag', () => {
    const isolated = ['--private-images', 'isolated'];
    const full = [
      ...isolated,
      '--token-addr',
      ':8443',
      '--token-tls-secret',
      'a/b',
      '--token-signing-secret',
      'a/c',
    ];
    assert.doesNotThrow(() => checkTokenFlags(parse([...REQUIRED, ...full])));
    assert.doesNotThrow(() => checkTokenFlags(parse([...REQUIRED])), 'skip needs no token flags');
    for (const [flag, drop] of [
      ['--token-addr', 3],
      ['--token-tls-secret', 5],
      ['--token-signing-secret', 7],
    ] as const) {
      const args = full.filter((_, i) => i !== drop && i !== drop - 1);
      assert.throws(
        () => checkTokenFlags(parse([...REQUIRED, ...args])),
        (err: unknown) => err instanceof ConfigError && err.flag === flag,
      );
    }
  });

  it('reads --kinds in any case, deduplicated, in canonical spelling; --registry-ca repeated', () => {
    const c = parse([
      ...REQUIRED,
      '--kinds',
      'STATEFULSET,daemonset',
      '--kinds',
      'DaemonSet',
      '--registry-ca',
      CA_FILE,
      '--registry-ca',
      CA_FILE,
      '--no-pin-digest',
      '--flatten',
    ]);
    assert.deepEqual(c.kinds, ['StatefulSet', 'DaemonSet']);
    assert.deepEqual(c.registryCa, [CA_FILE, CA_FILE]);
    assert.equal(c.pinDigest, false);
    assert.deepEqual(backupMappingOf(c), {
      backupRegistry: 'backup.example.com',
      prefix: 'lifeboat',
      flatten: true,
    });
  });

  it('refuses --flatten on docker.io without a prefix with one line naming --flatten', () => {
    const c = parse(['--backup-registry', 'docker.io', '--flatten']);
    assert.throws(
      () => backupMappingOf(c),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.flag === '--flatten' &&
        /^--flatten: flatten on docker\.io needs a prefix/.test(err.message) &&
        !err.message.includes('\n'),
    );
    assert.equal(backupMappingOf({ ...c, flatten: false }).flatten, false);
  });

  it("the Kubernetes client's rate flags default to the client's own defaults", () => {
    const flag = (key: string) => RUN_FLAGS.find((f) => f.key === key);
    assert.equal(flag('kubeApiQps')?.default, String(KUBE_API_DEFAULTS.qps));
    assert.equal(flag('kubeApiBurst')?.default, String(KUBE_API_DEFAULTS.burst));
    const c = parse([...REQUIRED, '--kube-api-qps', '200', '--kube-api-burst', '400'], {
      LIFEBOAT_KUBE_API_QPS: '5',
    });
    assert.equal(c.kubeApiQps, 200, 'the command line wins over the variable');
    assert.equal(c.kubeApiBurst, 400);
    assert.equal(parse([...REQUIRED, '--kube-api-qps', '0.5']).kubeApiQps, 0.5);
  });

  it("status, restore and uninstall (run's flags) take the same connection flags", () => {
    for (const flags of [STATUS_FLAGS, RESTORE_FLAGS]) {
      for (const key of ['kubeconfig', 'kubeApiQps', 'kubeApiBurst'])
        assert.equal(
          flags.find((f) => f.key === key),
          RUN_FLAGS.find((f) => f.key === key),
          key,
        );
    }
  });

  it('every flag has its variable, named after the flag unless the name would mislead', () => {
    for (const spec of RUN_FLAGS) {
      const derived = `LIFEBOAT_${spec.flag.slice(2).toUpperCase().replaceAll('-', '_')}`;
      assert.equal(envNameOf(spec.flag), derived);
      if (spec.flag === '--lifeboat-namespace') assert.equal(envOf(spec), 'LIFEBOAT_OWN_NAMESPACE');
      else assert.equal(envOf(spec), derived, spec.flag);
    }
    const help = addFlags(new Command('run'), RUN_FLAGS).helpInformation();
    for (const spec of RUN_FLAGS) assert.ok(help.includes(envOf(spec)), spec.flag);
  });

  it('the command line wins over the variable; booleans have a --no- form', () => {
    const c = parse([...REQUIRED, '--lifeboat-namespace', 'cli', '--no-leader-elect'], {
      LIFEBOAT_OWN_NAMESPACE: 'env',
    });
    assert.equal(c.lifeboatNamespace, 'cli');
    assert.equal(c.leaderElect, false);
    assert.deepEqual(
      parse([...REQUIRED, '--exclude-namespaces', 'a,b', '--exclude-namespaces', 'c']).excludeNamespaces,
      ['a', 'b', 'c'],
    );
  });

  const refusals: [string, string[], Record<string, string>, RegExp][] = [
    ['a missing backup registry', [], {}, /^--backup-registry is required \(or LIFEBOAT_BACKUP_REGISTRY\)$/],
    [
      'a bad namespace',
      [...REQUIRED, '--lifeboat-namespace', 'Bad_NS'],
      {},
      /^option '--lifeboat-namespace <ns>' argument "Bad_NS" is invalid: expected a namespace name/,
    ],
    [
      'a secret without namespace',
      [...REQUIRED, '--backup-pull-secret', 'pull'],
      {},
      /^option '--backup-pull-secret <ns\/name>' argument "pull" is invalid: expected NAMESPACE\/NAME$/,
    ],
    [
      'a bad address',
      [...REQUIRED, '--metrics-addr', '8080'],
      {},
      /^option '--metrics-addr <host:port>' argument "8080" is invalid: expected HOST:PORT/,
    ],
    [
      'a port out of range',
      [...REQUIRED, '--metrics-addr', ':70000'],
      {},
      /^option '--metrics-addr <host:port>' argument ":70000" is invalid: the port is above 65535$/,
    ],
    [
      'a log format',
      [...REQUIRED, '--log-format', 'xml'],
      {},
      /^option '--log-format <json\|text>' argument "xml" is invalid: /,
    ],
    [
      'a bad variable',
      REQUIRED,
      { LIFEBOAT_LOG_LEVEL: 'loud' },
      /^option '--log-level <level>' argument "loud" \(from LIFEBOAT_LOG_LEVEL\) is invalid: /,
    ],
    [
      'a boolean variable that is not one',
      REQUIRED,
      { LIFEBOAT_LEADER_ELECT: 'maybe' },
      /^LIFEBOAT_LEADER_ELECT must be true or false, not "maybe"$/,
    ],
    [
      'an empty service-account list',
      [...REQUIRED, '--pull-secret-service-accounts', ','],
      {},
      /^option '--pull-secret-service-accounts <name,...>' argument "" is invalid: name at least one/,
    ],
    [
      'an invalid backup registry',
      ['--backup-registry', 'backup/x'],
      {},
      /^option '--backup-registry <host\[:port\]\[\/prefix\]>' argument "backup\/x" is invalid: backup registry "backup" would be read as a Docker Hub namespace/,
    ],
    [
      'an unknown kind',
      [...REQUIRED, '--kinds', 'Deployment,Job'],
      {},
      /^option '--kinds <kind,\.\.\.>' argument "Deployment,Job" is invalid: unknown kind "Job": expected Deployment, DaemonSet, StatefulSet, CronJob$/,
    ],
    [
      'an empty kind list',
      [...REQUIRED, '--kinds', ','],
      {},
      /^option '--kinds <kind,\.\.\.>' argument "" is invalid: name at least one of/,
    ],
    [
      'a glob with characters no image holds',
      [...REQUIRED, '--exclude-images', 'nginx:1.?'],
      {},
      /^option '--exclude-images <glob,\.\.\.>' argument "nginx:1\.\?" is invalid: expected an image glob/,
    ],
    [
      'a bad glob from its variable',
      REQUIRED,
      { LIFEBOAT_EXCLUDE_IMAGES: 'docker.io/[ab]*' },
      /^option '--exclude-images <glob,\.\.\.>' argument "docker\.io\/\[ab\]\*" \(from LIFEBOAT_EXCLUDE_IMAGES\) is invalid: /,
    ],
    [
      'a source registry that is not a host',
      [...REQUIRED, '--source-registries', 'https://ghcr.io'],
      {},
      /^option '--source-registries <host\[:port\],\.\.\.>' argument "https:\/\/ghcr\.io" is invalid: expected HOST\[:PORT\]$/,
    ],
    [
      'a boolean --require-ready variable that is not one',
      REQUIRED,
      { LIFEBOAT_REQUIRE_READY: 'sometimes' },
      /^LIFEBOAT_REQUIRE_READY must be true or false, not "sometimes"$/,
    ],
    [
      'a platform without an architecture',
      [...REQUIRED, '--platforms', 'linux/amd64,linux'],
      {},
      /^option '--platforms <os\/arch\[\/variant\],\.\.\.>' argument "linux\/amd64,linux" is invalid: invalid platform "linux"/,
    ],
    [
      'a boolean --pin-digest variable that is not one',
      REQUIRED,
      { LIFEBOAT_PIN_DIGEST: 'digest' },
      /^LIFEBOAT_PIN_DIGEST must be true or false, not "digest"$/,
    ],
    [
      'a boolean --flatten variable that is not one',
      REQUIRED,
      { LIFEBOAT_FLATTEN: 'flat' },
      /^LIFEBOAT_FLATTEN must be true or false, not "flat"$/,
    ],
    [
      'zero concurrent copies',
      [...REQUIRED, '--max-concurrent-copies', '0'],
      {},
      /^option '--max-concurrent-copies <n>' argument "0" is invalid: expected a positive integer$/,
    ],
    [
      'a push secret without namespace',
      [...REQUIRED, '--backup-push-secret', 'push'],
      {},
      /^option '--backup-push-secret <ns\/name>' argument "push" is invalid: expected NAMESPACE\/NAME$/,
    ],
    [
      'source credentials without namespace',
      REQUIRED,
      { LIFEBOAT_SOURCE_CREDENTIALS: 'a/b/c' },
      /^option '--source-credentials <ns\/name>' argument "a\/b\/c" \(from LIFEBOAT_SOURCE_CREDENTIALS\) is invalid: expected NAMESPACE\/NAME$/,
    ],
    [
      'an insecure registry with a space',
      [...REQUIRED, '--insecure-registries', 'local host:5000'],
      {},
      /^option '--insecure-registries <host\[:port\],\.\.\.>' argument "local host:5000" is invalid: expected HOST\[:PORT\]$/,
    ],
    [
      'a CA file that cannot be read',
      [...REQUIRED, '--registry-ca', '/nonexistent/ca.pem'],
      {},
      /^option '--registry-ca <file>' argument "\/nonexistent\/ca\.pem" is invalid: ENOENT/,
    ],
    [
      'a boolean --dry-run variable that is not one',
      REQUIRED,
      { LIFEBOAT_DRY_RUN: 'perhaps' },
      /^LIFEBOAT_DRY_RUN must be true or false, not "perhaps"$/,
    ],
    [
      'a boolean --install-crds variable that is not one',
      REQUIRED,
      { LIFEBOAT_INSTALL_CRDS: 'always' },
      /^LIFEBOAT_INSTALL_CRDS must be true or false, not "always"$/,
    ],
    [
      'a zero --kube-api-qps',
      [...REQUIRED, '--kube-api-qps', '0'],
      {},
      /^option '--kube-api-qps <n>' argument "0" is invalid: expected a positive number$/,
    ],
    [
      'a negative --kube-api-qps',
      [...REQUIRED, '--kube-api-qps', '-5'],
      {},
      /^option '--kube-api-qps <n>' argument "-5" is invalid: expected a positive number$/,
    ],
    [
      'a --kube-api-qps variable that is not a number',
      REQUIRED,
      { LIFEBOAT_KUBE_API_QPS: 'fast' },
      /^option '--kube-api-qps <n>' argument "fast" \(from LIFEBOAT_KUBE_API_QPS\) is invalid: expected a positive number$/,
    ],
    [
      'a zero --kube-api-burst',
      [...REQUIRED, '--kube-api-burst', '0'],
      {},
      /^option '--kube-api-burst <n>' argument "0" is invalid: expected a positive integer$/,
    ],
    [
      'a fractional --kube-api-burst',
      REQUIRED,
      { LIFEBOAT_KUBE_API_BURST: '1.5' },
      /^option '--kube-api-burst <n>' argument "1\.5" \(from LIFEBOAT_KUBE_API_BURST\) is invalid: expected a positive integer$/,
    ],
    [
      'a --source-check-interval that is no duration',
      [...REQUIRED, '--source-check-interval', '6 hours'],
      {},
      /^option '--source-check-interval <duration>' argument "6 hours" is invalid: expected a duration such as 6h, 90m, 1h30m or 0$/,
    ],
    [
      'a zero --source-check-qps',
      [...REQUIRED, '--source-check-qps', '0'],
      {},
      /^option '--source-check-qps <n>' argument "0" is invalid: expected a positive number$/,
    ],
    [
      'a --rewrite-mode that is neither workloads nor pods',
      [...REQUIRED, '--rewrite-mode', 'both'],
      {},
      /^option '--rewrite-mode <workloads\|pods>' argument "both" is invalid/,
    ],
    [
      'a --webhook-url that is not https',
      [...REQUIRED, '--webhook-url', 'http://127.0.0.1:9443'],
      {},
      /^option '--webhook-url <https:\/\/host:port>' argument "http:\/\/127.0.0.1:9443" is invalid: expected https:/,
    ],
    [
      'a --webhook-cert-lifetime under ten seconds',
      [...REQUIRED, '--webhook-cert-lifetime', '5s'],
      {},
      /^option '--webhook-cert-lifetime <duration>' argument "5s" is invalid: at least 10s$/,
    ],
    [
      'an --on-source-change that is neither keep nor follow',
      [...REQUIRED, '--on-source-change', 'overwrite'],
      {},
      /^option '--on-source-change <keep\|follow>' argument "overwrite" is invalid/,
    ],
    [
      'a malformed --namespace-selector',
      [...REQUIRED, '--namespace-selector', 'env in (prod'],
      {},
      /^option '--namespace-selector <selector>' argument "env in \(prod" is invalid: invalid label selector "env in \(prod": expected ',' or '\)' at the end$/,
    ],
    [
      'a --namespace-selector variable with a bad key',
      REQUIRED,
      { LIFEBOAT_NAMESPACE_SELECTOR: 'Bad_Prefix/x=y' },
      /^option '--namespace-selector <selector>' argument "Bad_Prefix\/x=y" \(from LIFEBOAT_NAMESPACE_SELECTOR\) is invalid: invalid label selector .*prefix is a DNS subdomain/,
    ],
    [
      'a negative --max-rewrites-per-minute',
      [...REQUIRED, '--max-rewrites-per-minute', '-1'],
      {},
      /^option '--max-rewrites-per-minute <n>' argument "-1" is invalid: expected a whole number \(0 or more\)$/,
    ],
    [
      'a fractional --max-rewrites-per-minute',
      [...REQUIRED, '--max-rewrites-per-minute', '1.5'],
      {},
      /^option '--max-rewrites-per-minute <n>' argument "1\.5" is invalid: expected a whole number \(0 or more\)$/,
    ],
  ];
  it('in pods mode, needs exactly one of --webhook-service and --webhook-url', () => {
    assert.equal(webhookEndpointOf(parse(REQUIRED)), undefined);
    const pods = [...REQUIRED, '--rewrite-mode', 'pods'];
    assert.throws(
      () => webhookEndpointOf(parse(pods)),
      /needs --webhook-service NAMESPACE\/NAME .* or --webhook-url/,
    );
    assert.throws(
      () =>
        webhookEndpointOf(parse([...pods, '--webhook-service', 'ops/hook', '--webhook-url', 'https://h:1'])),
      /give one, not both/,
    );
    assert.deepEqual(webhookEndpointOf(parse([...pods, '--webhook-service', 'ops/hook'])), {
      service: { namespace: 'ops', name: 'hook' },
    });
    assert.equal(parse(REQUIRED).webhookCertLifetime, 365 * 86_400_000);
    assert.equal(parse(REQUIRED).webhookAddr, ':9443');
  });

  for (const [what, args, env, message] of refusals) {
    it(`refuses ${what} with one line naming the flag`, () => {
      const err = refusal(args, env);
      assert.match(err.message, message);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.temporary, false);
      assert.ok(!err.message.includes('\n'));
    });
  }
});
