// The CLI convention of issue 18 at the level of the flag definitions: help shows every flag's
// default and variable, lifeboat's own namespace is --lifeboat-namespace (old spellings warned about),
// -n/--namespace is the workloads' with -A, and `run`'s arguments read from a Deployment parse with
// `run`'s own definitions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { addFlags, readConfig } from './commander.ts';
import { COPY_FLAGS } from './copy-flags.ts';
import { DEV_FLAGS } from './dev-flags.ts';
import { ConfigError, defaultText, envOf, type FlagSpec } from './flag.ts';
import { REF_FLAGS } from './ref-flags.ts';
import { RESTORE_FLAGS } from './restore-flags.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { parseRunInvocation, runInvocation, type DeploymentLike } from './run-invocation.ts';
import { workloadScope } from './shared-flags.ts';
import { STATUS_FLAGS, STATUS_RUN_FLAGS } from './status-flags.ts';
import { UNINSTALL_FLAGS } from './uninstall-flags.ts';
import { VERIFY_FLAGS } from './verify-flags.ts';

const COMMANDS: Record<string, readonly FlagSpec[]> = {
  run: RUN_FLAGS,
  uninstall: UNINSTALL_FLAGS,
  status: STATUS_FLAGS,
  verify: VERIFY_FLAGS,
  restore: RESTORE_FLAGS,
  copy: COPY_FLAGS,
  ref: REF_FLAGS,
  dev: DEV_FLAGS,
};

/** `specs` read from `args` and `env` as a command reads them, with the warnings it printed. */
function read<const S extends readonly FlagSpec[]>(specs: S, args: string[], env: NodeJS.ProcessEnv = {}) {
  const command = addFlags(new Command('x').exitOverride(), specs);
  command.parse(args, { from: 'user' });
  const warnings: string[] = [];
  return { config: readConfig(command, specs, env, (w) => warnings.push(w)), warnings };
}

const REGISTRY = ['--backup-registry', 'backup.example.com/lifeboat'];

describe('--help', () => {
  for (const [name, specs] of Object.entries(COMMANDS)) {
    it(`lifeboat ${name} shows each flag's default (booleans too) and variable`, () => {
      const help = addFlags(new Command(name), specs).configureHelp({ helpWidth: 10_000 }).helpInformation();
      for (const spec of specs) {
        const line = help.split('\n').find((l) => l.trimStart().startsWith(spec.short ?? spec.flag));
        assert.ok(line !== undefined, `${spec.flag} in help`);
        const shown = defaultText(spec);
        if (shown !== undefined) assert.ok(line.includes(`default: ${shown}`), line);
        if (spec.arg === undefined)
          assert.ok(line.includes(`default: ${String(spec.default ?? false)}`), line);
        assert.ok(line.includes(`env: ${envOf(spec)}`), line);
      }
      // A deprecated spelling is read but not offered.
      for (const old of specs.flatMap((s) => s.deprecated?.flags ?? []))
        if (!specs.some((s) => s.flag === old))
          assert.doesNotMatch(help, new RegExp(`${old}(?![\\w-])`), old);
    });
  }
});

describe("lifeboat's own namespace", () => {
  it('is --lifeboat-namespace or LIFEBOAT_OWN_NAMESPACE, without warnings', () => {
    assert.equal(read(RUN_FLAGS, REGISTRY).config.lifeboatNamespace, 'lifeboat-system');
    const flag = read(RUN_FLAGS, [...REGISTRY, '--lifeboat-namespace', 'boats']);
    assert.equal(flag.config.lifeboatNamespace, 'boats');
    const env = read(RUN_FLAGS, REGISTRY, { LIFEBOAT_OWN_NAMESPACE: 'ops' });
    assert.equal(env.config.lifeboatNamespace, 'ops');
    assert.deepEqual([...flag.warnings, ...env.warnings], []);
  });

  it('still reads run --namespace and uninstall --namespace, and LIFEBOAT_NAMESPACE, with a warning', () => {
    for (const specs of [RUN_FLAGS, UNINSTALL_FLAGS]) {
      const old = read(specs, [...REGISTRY, '--namespace', 'legacy']);
      assert.equal(old.config.lifeboatNamespace, 'legacy');
      assert.deepEqual(old.warnings, ['--namespace is deprecated: use --lifeboat-namespace']);
    }
    const env = read(RUN_FLAGS, REGISTRY, { LIFEBOAT_NAMESPACE: 'legacy' });
    assert.equal(env.config.lifeboatNamespace, 'legacy');
    assert.deepEqual(env.warnings, ['LIFEBOAT_NAMESPACE is deprecated: use LIFEBOAT_OWN_NAMESPACE']);
  });

  it('the current spelling wins over the deprecated one, and the command line over variables', () => {
    const both = read(RUN_FLAGS, [...REGISTRY, '--namespace', 'old', '--lifeboat-namespace', 'new'], {
      LIFEBOAT_OWN_NAMESPACE: 'env',
      LIFEBOAT_NAMESPACE: 'old-env',
    });
    assert.equal(both.config.lifeboatNamespace, 'new');
    assert.deepEqual(both.warnings, []);
    const envs = read(RUN_FLAGS, REGISTRY, { LIFEBOAT_OWN_NAMESPACE: 'env', LIFEBOAT_NAMESPACE: 'old-env' });
    assert.equal(envs.config.lifeboatNamespace, 'env');
    assert.equal(
      read(RUN_FLAGS, [...REGISTRY, '--namespace', 'cli'], { LIFEBOAT_OWN_NAMESPACE: 'env' }).config
        .lifeboatNamespace,
      'cli',
    );
  });
});

describe("-n/--namespace is the workloads' namespace", () => {
  for (const [name, specs] of Object.entries({
    status: STATUS_FLAGS,
    verify: VERIFY_FLAGS,
    restore: RESTORE_FLAGS,
  })) {
    it(`${name}: -n and --namespace pick the workloads, -A all of them, both together is refused`, () => {
      const base = name === 'restore' ? [] : REGISTRY;
      const short = read(specs, [...base, '-n', 'shop']).config as {
        namespace: string | undefined;
        allNamespaces: boolean;
      };
      assert.equal(short.namespace, 'shop');
      assert.equal(workloadScope(short), 'shop');
      const long = read(specs, [...base, '--namespace', 'shop']);
      assert.equal((long.config as { namespace?: string }).namespace, 'shop');
      assert.deepEqual(long.warnings, [], '--namespace is its own flag here, not the deprecated alias');
      const all = read(specs, [...base, '-A']).config as {
        namespace: string | undefined;
        allNamespaces: boolean;
      };
      assert.equal(workloadScope(all), undefined);
      assert.equal(
        workloadScope(read(specs, base).config as typeof all),
        undefined,
        'default: every namespace',
      );
      const env = read(specs, base, {
        LIFEBOAT_WORKLOAD_NAMESPACE: 'web',
        LIFEBOAT_NAMESPACE: 'lifeboat-system',
      });
      assert.equal(
        (env.config as { namespace?: string }).namespace,
        'web',
        "LIFEBOAT_NAMESPACE is not the workloads'",
      );
      assert.throws(
        () => workloadScope(read(specs, [...base, '-n', 'shop', '-A']).config),
        (err: unknown) => err instanceof ConfigError && /exclude each other/.test(err.message),
      );
    });
  }

  it("status reads its run flags apart from its own, never taking -n for lifeboat's namespace", () => {
    const command = addFlags(new Command('status').exitOverride(), STATUS_FLAGS);
    command.parse([...REGISTRY, '-n', 'shop'], { from: 'user' });
    const warnings: string[] = [];
    const run = readConfig(command, STATUS_RUN_FLAGS, {}, (w) => warnings.push(w));
    assert.equal(run.lifeboatNamespace, 'lifeboat-system');
    assert.deepEqual(warnings, []);
  });

  it('status keeps lifeboat-namespace apart, and reads --workload-namespace with a warning', () => {
    const { config, warnings } = read(STATUS_FLAGS, [
      ...REGISTRY,
      '--workload-namespace',
      'shop',
      '--lifeboat-namespace',
      'boats',
    ]);
    assert.equal(config.namespace, 'shop');
    assert.equal(config.lifeboatNamespace, 'boats');
    assert.deepEqual(warnings, ['--workload-namespace is deprecated: use --namespace']);
  });
});

describe('uninstall takes only the flags it reads', () => {
  it('has no flag of run it does not use', () => {
    assert.deepEqual(UNINSTALL_FLAGS.map((f) => f.flag).sort(), [
      '--backup-registry',
      '--context',
      '--dry-run',
      '--flatten',
      '--force',
      '--from-deployment',
      '--kube-api-burst',
      '--kube-api-qps',
      '--kubeconfig',
      '--lifeboat-namespace',
      '--log-format',
      '--log-level',
      '--pull-secret-name',
      '--rewrite-mode',
      '--webhook-cert-secret',
    ]);
  });
});

/** A Deployment as deploy/ renders it, with `args` and `env` for its container. */
function deployment(
  args: string[],
  env: { name: string; value?: string; valueFrom?: unknown }[] = [],
  command?: string[],
): DeploymentLike {
  return {
    metadata: { namespace: 'lifeboat-system', name: 'lifeboat' },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'sidecar', args: ['serve'] },
            { name: 'lifeboat', command, args, env },
          ],
        },
      },
    },
  };
}
const WHERE = 'Deployment lifeboat-system/lifeboat';

describe("run's flags from a Deployment", () => {
  it("parses the container's args and literal env with run's definitions", () => {
    const d = deployment(
      [
        'run',
        '--lifeboat-namespace=boats',
        '--backup-registry=backup.example.com/x',
        '--no-require-ready',
        '--metrics-addr=:9090',
      ],
      [
        { name: 'LIFEBOAT_EXCLUDE_NAMESPACES', value: 'a,b' },
        { name: 'OTHER', valueFrom: {} },
      ],
    );
    const config = parseRunInvocation(runInvocation(d), STATUS_RUN_FLAGS, WHERE);
    assert.equal(config.lifeboatNamespace, 'boats');
    assert.equal(config.backupRegistry.backupRegistry, 'backup.example.com');
    assert.equal(config.requireReady, false);
    assert.deepEqual(config.excludeNamespaces, ['a', 'b']);
  });

  it('finds `run` after the lifeboat entry point, and reads a deprecated spelling with a warning', () => {
    const d = deployment(
      ['--namespace=old', '--backup-registry=backup.example.com'],
      [],
      ['node', '/app/src/cli/main.ts', 'run'],
    );
    const warnings: string[] = [];
    const config = parseRunInvocation(runInvocation(d), STATUS_RUN_FLAGS, WHERE, (w) => warnings.push(w));
    assert.equal(config.lifeboatNamespace, 'old');
    assert.deepEqual(warnings, [`${WHERE}: --namespace is deprecated: use --lifeboat-namespace`]);
  });

  const refusals: [string, DeploymentLike, RegExp][] = [
    [
      'a Deployment that runs no lifeboat',
      deployment(['nginx', '-g', 'daemon off;']),
      /is not lifeboat's: none of its containers runs `lifeboat run`/,
    ],
    ['a `run` of something else', deployment(['--flag'], [], ['docker', 'run']), /is not lifeboat's/],
    [
      'an unknown flag',
      deployment(['run', '--backup-registry=b.example.com', '--bogus']),
      /arguments do not parse: unknown option '--bogus'/,
    ],
    [
      'a value run refuses',
      deployment(['run', '--backup-registry=b.example.com', '--kinds=Job']),
      /arguments do not parse: option '--kinds <kind,\.\.\.>' argument "Job" is invalid/,
    ],
    ['no backup registry', deployment(['run']), /arguments do not parse: --backup-registry is required/],
    [
      'a variable lifeboat reads from a valueFrom',
      deployment(['run'], [{ name: 'LIFEBOAT_BACKUP_REGISTRY', valueFrom: { configMapKeyRef: {} } }]),
      /sets LIFEBOAT_BACKUP_REGISTRY from a valueFrom/,
    ],
  ];
  for (const [what, d, message] of refusals) {
    it(`refuses ${what} with one usage error naming the Deployment`, () => {
      assert.throws(
        () => parseRunInvocation(runInvocation(d, STATUS_RUN_FLAGS), STATUS_RUN_FLAGS, WHERE),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith(WHERE) &&
          message.test(err.message) &&
          !err.message.includes('\n'),
      );
    });
  }
});
