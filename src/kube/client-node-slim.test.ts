import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { slimClientNodeImport } from './client-node-slim.ts';

const CONFIG_JS = 'file:///app/node_modules/@kubernetes/client-node/dist/config.js';

describe('slimClientNodeImport', () => {
  const cases: [string, string | undefined, boolean][] = [
    ['./gen/index.js', CONFIG_JS, true],
    ['./gen/index.js', 'file:///app/node_modules/@kubernetes/client-node/dist/metrics.js', false],
    ['./gen/index.js', 'file:///app/src/kube/config.js', false],
    ['./gen/http/http.js', CONFIG_JS, false],
    ['./gen/index.js', undefined, false],
  ];
  for (const [specifier, parent, redirected] of cases) {
    it(`${specifier} from ${parent ?? '(entry)'}: ${redirected ? 'the slim module' : 'as usual'}`, () => {
      const url = slimClientNodeImport(specifier, parent);
      if (redirected) assert.match(url ?? '', /\/client-node-gen-slim\.ts$/);
      else assert.equal(url, undefined);
    });
  }
});

describe('registerClientNodeSlimming', () => {
  it('loads a kubeconfig and authenticates without loading client-node’s generated API client', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-slim-'));
    try {
      const kubeconfig = join(dir, 'config');
      await writeFile(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
          'users: [{name: u, user: {token: abc}}]',
          'contexts: [{name: x, context: {cluster: c, user: u}}]',
          'current-context: x',
        ].join('\n'),
      );
      // A second hook, registered after the slimming one, so it sees every resolution first and
      // records what was loaded.
      const script = `
        import { registerHooks } from 'node:module';
        const { registerClientNodeSlimming } = await import(${JSON.stringify(new URL('./client-node-slim.ts', import.meta.url).href)});
        registerClientNodeSlimming();
        const urls = [];
        registerHooks({ resolve(s, c, next) { const r = next(s, c); urls.push(r.url); return r; } });
        const { loadKubeConfig } = await import(${JSON.stringify(new URL('./kubeconfig.ts', import.meta.url).href)});
        const kc = loadKubeConfig(${JSON.stringify(kubeconfig)}, {});
        const opts = { headers: {} };
        await kc.applyToHTTPSOptions(opts);
        console.log(JSON.stringify({
          server: kc.getCurrentCluster().server,
          authorization: opts.headers.Authorization ?? opts.headers.authorization ?? null,
          generated: urls.filter((u) => u.includes('/client-node/dist/gen/')),
        }));
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
      const out = JSON.parse(stdout) as { server: string; authorization: string | null; generated: string[] };
      assert.equal(out.server, 'https://127.0.0.1:6443');
      assert.equal(out.authorization, 'Bearer abc');
      const models = out.generated.filter((u) => u.includes('/gen/models/') || u.includes('/gen/apis/'));
      assert.deepEqual(models, [], 'no generated model or API module is loaded');
      assert.ok(
        out.generated.some((u) => u.endsWith('/gen/configuration.js')),
        out.generated.join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
