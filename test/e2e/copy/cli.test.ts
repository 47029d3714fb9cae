// `lifeboat copy` end to end, as a child process, against real registries (one behind htpasswd).
// Results are read back with crane; failure output is checked for secrets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  pushImage,
  pushIndex,
  runTool,
  startRegistry,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import { lifeboat } from '../cli/run-cli.ts';

describe('lifeboat copy (CLI)', () => {
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let creds: string;
  let password: string;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
    password = dst.password ?? '';
    creds = `${dst.username ?? ''}:${password}`;
  });
  after(async () => {
    await Promise.allSettled([src?.stop(), dst?.stop()]);
  });

  const digestIn = async (ref: string): Promise<string> =>
    (await runTool('crane', ['digest', '--insecure', ref], { registries: [dst] })).stdout.trim();

  it('copies with --dst-creds into an htpasswd registry and prints one JSON result line', async () => {
    const image = await pushImage(src, 'cli/app:v1', { layers: 2, layerSize: 40_000 });
    const run = await lifeboat([
      'copy',
      '--json',
      '--dst-creds',
      creds,
      '--insecure-registries',
      `${src.host},${dst.host}`,
      image.ref,
      `${dst.host}/mirror/cli/app:v1`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0] ?? '') as {
      targetDigest: string;
      blobsCopied: number;
      skipped: boolean;
    };
    assert.equal(result.targetDigest, image.digest);
    assert.equal(result.blobsCopied, 3);
    assert.equal(await digestIn(`${dst.host}/mirror/cli/app:v1`), image.digest);
    assert.equal(run.stdout.includes(password), false);
    assert.equal(run.stderr.includes(password), false);
  });

  it('reads every flag from LIFEBOAT_* variables, copies a tag+digest source by its digest, keeping the tag', async () => {
    const image = await pushImage(src, 'cli/env:v2', { layers: 1, layerSize: 10_000 });
    const run = await lifeboat(['copy', `${image.ref}@${image.digest}`, `${dst.host}/mirror/cli/env`], {
      env: {
        LIFEBOAT_DST_CREDS: creds,
        LIFEBOAT_INSECURE_REGISTRIES: `${src.host},${dst.host}`,
        LIFEBOAT_JSON: '1',
      },
    });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { targetDigest: string };
    assert.equal(result.targetDigest, image.digest);
    assert.equal(await digestIn(`${dst.host}/mirror/cli/env:v2`), image.digest);
  });

  it('copies a --platforms subset, with --insecure-registries repeated and credentials from --authfile', async () => {
    const index = await pushIndex(src, 'cli/multi:v1', {
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      layers: 1,
      layerSize: 10_000,
    });
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-authfile-'));
    try {
      const authfile = join(dir, 'auth.json');
      writeFileSync(
        authfile,
        JSON.stringify({ auths: { [dst.host]: { auth: Buffer.from(creds).toString('base64') } } }),
      );
      const run = await lifeboat([
        'copy',
        '--json',
        '--platforms',
        'linux/arm64,linux/arm/v7',
        '--authfile',
        authfile,
        '--insecure-registries',
        src.host,
        '--insecure-registries',
        dst.host,
        index.ref,
        `${dst.host}/mirror/cli/multi:v1`,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { targetDigest: string; platforms: string[] };
      assert.deepEqual([...result.platforms].sort(), ['linux/arm/v7', 'linux/arm64']);
      assert.equal(await digestIn(`${dst.host}/mirror/cli/multi:v1`), result.targetDigest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a one-line message and a non-zero exit on wrong credentials, never echoing the password', async () => {
    const image = await pushImage(src, 'cli/denied:v1', { layers: 1, layerSize: 1_000 });
    const wrong = 'not-the-password-8f3a1c';
    const run = await lifeboat([
      'copy',
      '--dst-creds',
      `${dst.username ?? ''}:${wrong}`,
      '--insecure-registries',
      `${src.host},${dst.host}`,
      image.ref,
      `${dst.host}/mirror/cli/denied:v1`,
    ]);
    assert.notEqual(run.code, 0);
    const message = run.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(message, /^lifeboat: error: /);
    assert.ok(message.includes(dst.host), message);
    for (const output of [run.stdout, run.stderr]) {
      assert.equal(output.includes(wrong), false);
      assert.equal(output.includes(Buffer.from(`${dst.username ?? ''}:${wrong}`).toString('base64')), false);
    }
  });

  it('names a missing source in its failure, without the valid password given for the target', async () => {
    const run = await lifeboat([
      'copy',
      '--dst-creds',
      creds,
      '--insecure-registries',
      `${src.host},${dst.host}`,
      `${src.host}/cli/absent:v1`,
      `${dst.host}/mirror/cli/absent:v1`,
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /lifeboat: error: .*cli\/absent/);
    assert.equal(run.stderr.includes(password), false);
    assert.equal(run.stdout, '');
  });

  it('refuses a malformed platform before contacting any registry', async () => {
    const run = await lifeboat(['copy', '--platforms', 'linux', `${src.host}/a:v1`, `${dst.host}/b:v1`]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /invalid platform "linux"/);
  });
});
