// The progress bar appears on a terminal and only there: `script` gives the CLI a pseudo-terminal.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { pushImage, startRegistry, type PushedImage, type LocalRegistry } from '../../../src/devenv/index.ts';

const run = promisify(execFile);
const CLI = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

describe('lifeboat copy progress', () => {
  let source: LocalRegistry;
  let target: LocalRegistry;
  let image: PushedImage;
  before(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    image = await pushImage(source, 'progress/app:v1', { layers: 3, layerSize: 4 * 1024 * 1024 });
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const copyArgs = (repo: string): string[] => [
    CLI,
    'copy',
    '--insecure-registries',
    '127.0.0.1',
    image.ref,
    `${target.host}/${repo}:v1`,
  ];

  it('draws a bar with bytes and blobs on a terminal, ending at the total', async () => {
    const command = [process.execPath, ...copyArgs('on-tty')].map((a) => `'${a}'`).join(' ');
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
    const frames = stdout.split('\r').filter((frame) => frame.startsWith('['));
    assert.ok(frames.length >= 1, `no progress frames in ${JSON.stringify(stdout)}`);
    assert.match(frames.at(-1)!, /\[#+\] .* \/ .*MiB {2}4\/4 blobs/);
    assert.match(stdout, new RegExp(`${target.host}/on-tty@${image.digest}`));
  });

  it('writes no bar when stderr is not a terminal', async () => {
    const { stdout, stderr } = await run(process.execPath, copyArgs('no-tty'), { encoding: 'utf8' });
    assert.doesNotMatch(stderr, /\[[#.]+\]/);
    assert.match(stdout + stderr, new RegExp(`${target.host}/no-tty@${image.digest}`));
  });
});
