// Runs the real `lifeboat ref` command in a child process: arguments, environment variables, and a
// 10,000-line stdin stream, asserting the JSON lines it prints.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed, reverseRepository } from '../../../src/reference/index.ts';
import { cliEnv, lifeboat, MAIN, NODE, repoRoot } from './run-cli.ts';

const D = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';

function jsonLines(stdout: string): Record<string, unknown>[] {
  assert.ok(stdout.endsWith('\n'), 'output ends with a newline');
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('lifeboat ref', () => {
  it('prints one JSON line per argument, reporting invalid references and exiting 0', async () => {
    const run = await lifeboat(['ref', 'nginx', `busybox:1.36@${D}`, 'Nginx', 'localhost:5000/a/b:V2']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(jsonLines(run.stdout), [
      {
        input: 'nginx',
        valid: true,
        normalized: 'docker.io/library/nginx',
        familiar: 'nginx',
        dockerRef: 'docker.io/library/nginx:latest',
        domain: 'docker.io',
        path: 'library/nginx',
        tag: null,
        digest: null,
      },
      {
        input: `busybox:1.36@${D}`,
        valid: true,
        normalized: `docker.io/library/busybox:1.36@${D}`,
        familiar: `busybox:1.36@${D}`,
        dockerRef: `docker.io/library/busybox@${D}`,
        domain: 'docker.io',
        path: 'library/busybox',
        tag: '1.36',
        digest: D,
      },
      {
        input: 'Nginx',
        valid: false,
        error: 'invalid reference format: repository name (library/Nginx) must be lowercase',
      },
      {
        input: 'localhost:5000/a/b:V2',
        valid: true,
        normalized: 'localhost:5000/a/b:V2',
        familiar: 'localhost:5000/a/b:V2',
        dockerRef: 'localhost:5000/a/b:V2',
        domain: 'localhost:5000',
        path: 'a/b',
        tag: 'V2',
        digest: null,
      },
    ]);
  });

  it('adds the backup target from flags or from LIFEBOAT_* variables', async () => {
    const byFlags = await lifeboat(['ref', 'nginx:1.25', '--backup-registry', 'backup.example.com/lifeboat']);
    assert.equal(byFlags.code, 0, byFlags.stderr);
    assert.equal(
      jsonLines(byFlags.stdout)[0]?.backup,
      'backup.example.com/lifeboat/docker.io/library/nginx:1.25',
    );

    const flattened = await lifeboat([
      'ref',
      'quay.io/a/b-c:1',
      `[::1]:5000/x@${D}`,
      '--backup-registry',
      'backup.example.com',
      '--prefix',
      'mirror',
      '--flatten',
    ]);
    assert.equal(flattened.code, 0, flattened.stderr);
    assert.deepEqual(
      jsonLines(flattened.stdout).map((line) => line.backup),
      ['backup.example.com/mirror/quay.io-a-b--c:1', `backup.example.com/mirror/ipv6__xx1_5000-x@${D}`],
    );

    const byEnv = await lifeboat(['ref', 'quay.io/a/b-c:1'], {
      env: { LIFEBOAT_BACKUP_REGISTRY: 'localhost:5000', LIFEBOAT_PREFIX: 'lb', LIFEBOAT_FLATTEN: 'true' },
    });
    assert.equal(jsonLines(byEnv.stdout)[0]?.backup, 'localhost:5000/lb/quay.io-a-b--c:1');

    const flattenOff = await lifeboat(['ref', 'quay.io/a/b-c:1'], {
      env: { LIFEBOAT_BACKUP_REGISTRY: 'localhost:5000', LIFEBOAT_FLATTEN: 'false' },
    });
    assert.equal(jsonLines(flattenOff.stdout)[0]?.backup, 'localhost:5000/quay.io/a/b-c:1');
  });

  it('reports a reference it cannot map, and keeps images already in the backup registry', async () => {
    const run = await lifeboat([
      'ref',
      `quay.io/${'a'.repeat(250)}`,
      'backup.example.com/lifeboat/docker.io/library/nginx:1.25',
      '--backup-registry',
      'backup.example.com/lifeboat',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const [long, already] = jsonLines(run.stdout);
    assert.equal(long?.valid, true);
    assert.equal(long?.backup, null);
    assert.match(String(long?.error), /over the limit of 255/);
    assert.equal(already?.backup, 'backup.example.com/lifeboat/docker.io/library/nginx:1.25');
  });

  it('refuses unusable options with exit status 2 and prints nothing on stdout', async (t) => {
    const cases = [
      { args: ['--backup-registry', 'myregistry'], message: /would be read as a Docker Hub namespace/ },
      { args: ['--backup-registry', 'r.example.com/a', '--prefix', 'b'], message: /prefix is given twice/ },
      {
        args: ['--backup-registry', 'r.example.com', '--prefix', 'Bad'],
        message: /not a valid repository path/,
      },
      { args: ['--flatten'], message: /need --backup-registry/ },
    ];
    for (const c of cases) {
      await t.test(c.args.join(' '), async () => {
        const run = await lifeboat(['ref', 'nginx', ...c.args]);
        assert.equal(run.code, 2);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, c.message);
      });
    }
    const badEnv = await lifeboat(['ref', 'nginx', '--backup-registry', 'r.example.com'], {
      env: { LIFEBOAT_FLATTEN: 'maybe' },
    });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /LIFEBOAT_FLATTEN must be true or false/);
  });

  it('streams 10,000 stdin lines in order, skipping empty lines, with reversible backup targets', async () => {
    const hosts = [
      '',
      'quay.io/',
      'localhost:5000/',
      '[2001:db8::1]:5000/',
      'gcr.io/project/',
      'Example.COM/',
    ];
    const inputs: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const host = hosts[i % hosts.length] ?? '';
      inputs.push(i % 17 === 0 ? `Invalid/Name${i}` : `${host}app-${i % 101}/svc__${i}:v${i % 7}`);
    }
    // Empty and blank lines are skipped; CRLF line ends are accepted.
    const stdin = inputs.map((line, i) => (i % 1000 === 0 ? `\n  \n${line}\r\n` : `${line}\n`)).join('');
    const run = await lifeboat(['ref', '--backup-registry', 'backup.example.com/lifeboat', '--flatten'], {
      stdin,
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    assert.equal(lines.length, inputs.length);
    const mapping = backupMapping({
      backupRegistry: 'backup.example.com',
      prefix: 'lifeboat',
      flatten: true,
    });
    const targets = new Set<string>();
    lines.forEach((line, i) => {
      assert.equal(line.input, inputs[i]);
      if (i % 17 === 0) {
        assert.equal(line.valid, false, String(line.input));
        return;
      }
      assert.equal(line.valid, true, String(line.input));
      assert.equal(line.normalized, parseNormalizedNamed(inputs[i] ?? '').string());
      const backup = parseNormalizedNamed(String(line.backup));
      assert.equal(backup.tag, `v${i % 7}`);
      // The target names its source: the mapping is reversible end to end.
      assert.equal(
        reverseRepository(backup, mapping).name(),
        `${String(line.domain).toLowerCase()}/${String(line.path)}`,
      );
      targets.add(backup.name());
    });
    assert.equal(targets.size, lines.filter((line) => line.valid).length);
  });

  it('splits stdin at newlines only: CRLF is one line ending, U+2028 stays inside its input', async () => {
    const run = await lifeboat(['ref'], { stdin: 'nginx\r\nfoo\u2028bar\n\n  \nbusybox' });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      jsonLines(run.stdout).map((line) => [line.input, line.valid]),
      [
        ['nginx', true],
        ['foo\u2028bar', false],
        ['busybox', true],
      ],
    );
  });

  it('stops quietly, exit 0, when its reader closes the pipe early', async () => {
    const stdin = `${'nginx:1.25\n'.repeat(10_000)}`;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(NODE, [MAIN, 'ref'], { cwd: repoRoot, env: cliEnv(), timeout: 60_000 });
      child.on('error', reject);
      child.stderr.resume();
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', resolve);
      child.stdin.on('error', () => {
        // The child may exit before reading all of stdin; that is the point of the test.
      });
      child.stdin.end(stdin);
    });
    assert.equal(code, 0);
  });
});
