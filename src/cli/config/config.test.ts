import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { addFlags, readConfig } from './commander.ts';
import { ConfigError, envNameOf } from './flag.ts';
import { RUN_FLAGS, type RunConfig } from './run-flags.ts';

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

describe('lifeboat run configuration', () => {
  it('applies the defaults', () => {
    const c = parse(REQUIRED);
    assert.equal(c.namespace, 'lifeboat-system');
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
    assert.ok(Object.isFrozen(c));
  });

  it('reads every flag from its LIFEBOAT_* variable', () => {
    const c = parse([], {
      LIFEBOAT_BACKUP_REGISTRY: 'localhost:5000',
      LIFEBOAT_NAMESPACE: 'ops',
      LIFEBOAT_BACKUP_PULL_SECRET: 'ops/pull',
      LIFEBOAT_PULL_SECRET_NAME: 'backup-pull',
      LIFEBOAT_PULL_SECRET_SERVICE_ACCOUNTS: 'default,builder',
      LIFEBOAT_EXCLUDE_NAMESPACES: 'a, b',
      LIFEBOAT_LEADER_ELECT: 'false',
      LIFEBOAT_METRICS_ADDR: '127.0.0.1:9090',
      LIFEBOAT_LOG_FORMAT: 'text',
      LIFEBOAT_LOG_LEVEL: 'debug',
      LIFEBOAT_KUBECONFIG: '/tmp/kc',
    });
    assert.deepEqual(
      { ...c, backupRegistry: c.backupRegistry.backupRegistry },
      {
        kubeconfig: '/tmp/kc',
        namespace: 'ops',
        backupRegistry: 'localhost:5000',
        backupPullSecret: { namespace: 'ops', name: 'pull' },
        pullSecretName: 'backup-pull',
        pullSecretServiceAccounts: ['default', 'builder'],
        excludeNamespaces: ['a', 'b'],
        leaderElect: false,
        metricsAddr: '127.0.0.1:9090',
        logFormat: 'text',
        logLevel: 'debug',
      },
    );
  });

  it('every flag has its variable, named after the flag', () => {
    for (const spec of RUN_FLAGS) {
      assert.equal(envNameOf(spec.flag), `LIFEBOAT_${spec.flag.slice(2).toUpperCase().replaceAll('-', '_')}`);
    }
    const help = addFlags(new Command('run'), RUN_FLAGS).helpInformation();
    for (const spec of RUN_FLAGS.filter((s) => 'arg' in s))
      assert.ok(help.includes(envNameOf(spec.flag)), spec.flag);
  });

  it('the command line wins over the variable; booleans have a --no- form', () => {
    const c = parse([...REQUIRED, '--namespace', 'cli', '--no-leader-elect'], { LIFEBOAT_NAMESPACE: 'env' });
    assert.equal(c.namespace, 'cli');
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
      [...REQUIRED, '--namespace', 'Bad_NS'],
      {},
      /^option '--namespace <ns>' argument "Bad_NS" is invalid: expected a namespace name/,
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
  ];
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
