import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { registerBuildInfo } from './build-info.ts';

it('lifeboat_build_info is 1 with the package version and the Node.js version', async () => {
  const registry = new Registry();
  registerBuildInfo(registry);
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  assert.ok(
    (await registry.metrics()).includes(
      `lifeboat_build_info{version="${version}",node="${process.version}"} 1\n`,
    ),
  );
});
