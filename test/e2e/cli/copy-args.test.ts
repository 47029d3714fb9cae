// `lifeboat copy` refusing bad input before (or instead of) any copy, as a child process: one line
// naming the flag or argument at fault, exit 2 for a usage error (1 for a failure), no stack trace,
// no secret. Every reference
// names a closed loopback port: a copy that got past validation fails at connect, never leaves the
// machine, and that is all these tests need of a registry.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lifeboat, type CliRun } from './run-cli.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** One line on stderr that starts as lifeboat's messages do, exit `code`, and no stack frame anywhere. */
function assertOneLineError(run: CliRun, pattern: RegExp, code: 1 | 2 = 2): void {
  assert.equal(run.code, code, run.stderr);
  assert.match(run.stderr, /^lifeboat: error: /);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

describe('lifeboat copy argument errors', () => {
  let closed: string;
  before(async () => {
    // A port that was free a moment ago: connecting to it is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    closed = `127.0.0.1:${port}`;
  });

  it('refuses a --jobs or --nodes that is not a positive integer with commander’s one-line error', async () => {
    for (const value of ['0', 'abc', '1.5']) {
      assertOneLineError(
        await lifeboat(['copy', '--jobs', value, `${closed}/a:1`, `${closed}/b:1`]),
        /option '--jobs <n>'/,
      );
    }
    assertOneLineError(
      await lifeboat(['copy', `${closed}/a:1`, `${closed}/b:1`], { env: { LIFEBOAT_JOBS: '0' } }),
      /option '--jobs <n>'/,
    );
    assertOneLineError(await lifeboat(['dev', '--nodes', '0']), /option '--nodes <n>'/);
  });

  it('names the flag or argument whose value is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['copy', '--platforms', 'linux', `${closed}/a:1`, `${closed}/b:1`],
        /^lifeboat: error: option '--platforms <os\/arch\[\/variant\],...>' argument "linux" is invalid: invalid platform "linux"/,
      ],
      [
        ['copy', `${closed}/a@sha256:zz`, `${closed}/b:1`],
        /^lifeboat: error: SRC "127\.0\.0\.1:\d+\/a@sha256:zz": /,
      ],
      [['copy', `${closed}/a:1`, `${closed}/B:1`], /^lifeboat: error: DST "127\.0\.0\.1:\d+\/B:1": /],
      [
        ['copy', '--registry-ca', '/nonexistent/ca.pem', `${closed}/a:1`, `${closed}/b:1`],
        /^lifeboat: error: option '--registry-ca <file>' argument "\/nonexistent\/ca.pem" is invalid: ENOENT/,
      ],
      [
        ['copy', '--platforms', 'linux/amd64', `${closed}/a@${DIGEST}`, `${closed}/b`],
        /^lifeboat: error: --platforms writes a new index.*give DST a tag/,
      ],
    ];
    for (const [args, pattern] of cases) assertOneLineError(await lifeboat(args), pattern);
  });

  it('reads LIFEBOAT_JSON as a boolean: false is false, junk is an error, and --json reports a failure as JSON', async () => {
    const args = ['copy', `${closed}/a:1`, `${closed}/b:1`];
    const off = await lifeboat(args, { env: { LIFEBOAT_JSON: 'false' } });
    assert.equal(off.code, 1);
    assert.equal(off.stdout, '', 'no JSON when LIFEBOAT_JSON=false');
    assertOneLineError(
      await lifeboat(args, { env: { LIFEBOAT_JSON: 'maybe' } }),
      /LIFEBOAT_JSON must be true or false/,
    );
    const on = await lifeboat(['copy', '--json', ...args.slice(1)]);
    assert.equal(on.code, 1);
    const line = JSON.parse(on.stdout) as { source: string; target: string; error: string };
    assert.equal(line.source, `${closed}/a:1`);
    assert.match(line.error, /ECONNREFUSED/);
  });

  it('redacts credentials without mangling a message around a short password', async () => {
    const run = await lifeboat([
      'copy',
      '--src-creds',
      'u:e',
      '--dst-creds',
      'writer:s3cret-pw',
      `${closed}/a:1`,
      `${closed}/b:1`,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /manifests\/1/, 'the URL is intact');
    assert.match(run.stderr, /registry 127\.0\.0\.1/);
    assert.doesNotMatch(run.stderr, /s3cret-pw|u:e\b/);
  });

  describe('with a broken docker config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-docker-config-'));
    before(() => {
      mkdirSync(join(dir, 'docker'));
      writeFileSync(join(dir, 'docker', 'config.json'), '{ not json');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('is not read when both registries have credentials on the command line', async () => {
      const run = await lifeboat(
        ['copy', '--src-creds', 'a:pw1234', '--dst-creds', 'b:pw5678', `${closed}/a:1`, `${closed}/b:1`],
        { env: { DOCKER_CONFIG: join(dir, 'docker') } },
      );
      assert.equal(run.code, 1);
      assert.match(run.stderr, /ECONNREFUSED/);
    });

    it('is named when it is needed', async () => {
      const run = await lifeboat(['copy', `${closed}/a:1`, `${closed}/b:1`], {
        env: { DOCKER_CONFIG: join(dir, 'docker') },
      });
      assertOneLineError(run, /config\.json/, 1);
    });
  });
});

describe('lifeboat ref output errors', () => {
  it('reports a failing stdout (ENOSPC) in one line with exit 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      assertOneLineError(await lifeboat(['ref', 'nginx'], { stdoutFd: full }), /^lifeboat: error: ENOSPC/, 1);
    } finally {
      closeSync(full);
    }
  });
});
