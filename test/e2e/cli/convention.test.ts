// One CLI convention (issue 18) as an operator meets it, the real `lifeboat` as a child process: exit
// 0 done, 1 failed, 2 usage error (commander's own refusals included) for every command; one
// `lifeboat: error:` line, never a stack; `--version`; `--help` with each flag's default and variable;
// a missing kubeconfig named in one line; deprecated spellings warned about. No cluster is needed:
// every refusal here comes before one would be reached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifeboatVersion } from '../../../src/cli/version.ts';
import { lifeboat, type CliRun } from './run-cli.ts';

const MISSING_KUBECONFIG = '/nonexistent/lifeboat/kubeconfig';
const REGISTRY = ['--backup-registry', 'backup.example.com/lifeboat'];

function assertOneError(run: CliRun, code: 1 | 2, pattern: RegExp): void {
  assert.equal(run.code, code, `exit ${String(run.code)}\nstderr: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] ?? '', /^lifeboat: error: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at |"stack"/);
}

describe('lifeboat CLI convention', () => {
  it('every command exits 2 with one line for an unknown flag', async () => {
    const commands = ['run', 'uninstall', 'status', 'verify', 'restore', 'copy', 'ref', 'dev', 'version'];
    const runs = await Promise.all(commands.map((c) => lifeboat([c, '--no-such-flag'])));
    for (const run of runs) assertOneError(run, 2, /unknown option '--no-such-flag'/);
  });

  it('a missing value, a bad enum, a bad variable, a bad argument and -n with -A exit 2', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['status', '--kubeconfig'], {}, /option '--kubeconfig <path>' argument missing/],
      [
        ['run', ...REGISTRY, '--log-format', 'xml'],
        {},
        /option '--log-format <json\|text>' argument "xml" is invalid/,
      ],
      [['verify', ...REGISTRY, '-o', 'yaml'], {}, /option '--output <json>' argument "yaml" is invalid/],
      [['uninstall', ...REGISTRY], { LIFEBOAT_FORCE: 'maybe' }, /LIFEBOAT_FORCE must be true or false/],
      [['restore', 'pod/web'], {}, /"pod\/web" is not KIND\/NAME of a workload/],
      [['copy', 'only-one-argument'], {}, /missing required argument 'dst'/],
      [
        ['status', ...REGISTRY, '-n', 'shop', '-A'],
        {},
        /-n\/--namespace and -A\/--all-namespaces exclude each other/,
      ],
      [['lifeboat-has-no-such-command'], {}, /unknown command 'lifeboat-has-no-such-command'/],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => lifeboat(args, { env })));
    runs.forEach((run, i) => assertOneError(run, 2, cases[i]![2]));
  });

  it('a kubeconfig that is not there fails (exit 1) in one line naming the file, for every command that reads it', async () => {
    const runs = await Promise.all([
      lifeboat(['run', ...REGISTRY, '--kubeconfig', MISSING_KUBECONFIG]),
      lifeboat(['run', ...REGISTRY, '--kubeconfig', MISSING_KUBECONFIG, '--log-format', 'text']),
      lifeboat(['uninstall', ...REGISTRY, '--kubeconfig', MISSING_KUBECONFIG]),
      lifeboat(['status', ...REGISTRY, '--kubeconfig', MISSING_KUBECONFIG]),
      lifeboat(['restore', '--kubeconfig', MISSING_KUBECONFIG]),
    ]);
    for (const run of runs) {
      assertOneError(run, 1, new RegExp(`reading kubeconfig ${MISSING_KUBECONFIG}: ENOENT`));
      assert.equal(run.stdout, '', 'no log line, no JSON stack');
    }
  });

  it('--version and `version` print the version and exit 0', async () => {
    const [flag, command] = await Promise.all([lifeboat(['--version']), lifeboat(['version'])]);
    for (const run of [flag, command]) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `lifeboat ${lifeboatVersion()} (node ${process.version})\n`);
    }
  });

  it("--help exits 0 and shows each flag's default, booleans too, and its variable", async () => {
    const run = await lifeboat(['run', '--help'], { env: { COLUMNS: '1000' } });
    assert.equal(run.code, 0, run.stderr);
    const text = run.stdout.replace(/\s+/g, ' ');
    for (const expected of [
      '--lifeboat-namespace <ns> ',
      'default: lifeboat-system; env: LIFEBOAT_OWN_NAMESPACE',
      'default: false; env: LIFEBOAT_DRY_RUN',
      'default: true; env: LIFEBOAT_LEADER_ELECT',
      '(required; env: LIFEBOAT_BACKUP_REGISTRY)',
      "default: the kubeconfig's current-context; env: LIFEBOAT_CONTEXT",
      'Exit status: 0 done, 1 failed, 2 usage error',
    ])
      assert.ok(text.includes(expected), `${expected} in ${run.stdout}`);
    assert.ok(!/ --namespace /.test(text), 'the deprecated spelling is not offered');
    const status = await lifeboat(['status', '--help'], { env: { COLUMNS: '1000' } });
    assert.match(
      status.stdout.replace(/\s+/g, ' '),
      /-n, --namespace <ns> .*default: every namespace; env: LIFEBOAT_WORKLOAD_NAMESPACE/,
    );
    assert.match(
      status.stdout.replace(/\s+/g, ' '),
      /-A, --all-namespaces .*default: false; env: LIFEBOAT_ALL_NAMESPACES/,
    );
  });

  it('run --namespace and LIFEBOAT_NAMESPACE still work, with a warning on stderr', async () => {
    const [flag, env] = await Promise.all([
      lifeboat(['run', ...REGISTRY, '--namespace', 'boats', '--kubeconfig', MISSING_KUBECONFIG]),
      lifeboat(['uninstall', ...REGISTRY, '--kubeconfig', MISSING_KUBECONFIG], {
        env: { LIFEBOAT_NAMESPACE: 'boats' },
      }),
    ]);
    assert.match(flag.stderr, /^lifeboat: warning: --namespace is deprecated: use --lifeboat-namespace\n/);
    assert.match(
      env.stderr,
      /^lifeboat: warning: LIFEBOAT_NAMESPACE is deprecated: use LIFEBOAT_OWN_NAMESPACE\n/,
    );
    // Accepted: they get as far as the kubeconfig.
    for (const run of [flag, env]) assert.match(run.stderr, /lifeboat: error: reading kubeconfig/);
  });
});
