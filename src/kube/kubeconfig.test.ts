import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeConfigError } from './api-client-errors.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function config(file: string, cluster: string, server: string, current = cluster): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: cluster, cluster: { server } }],
      users: [{ name: `${cluster}-user`, user: { token: 'secret-token' } }],
      contexts: [{ name: cluster, context: { cluster, user: `${cluster}-user` } }],
      'current-context': current,
    }),
  );
  return path;
}

describe('loadKubeConfig', () => {
  const a = config('a.yaml', 'a', 'https://a.example:6443');
  const b = config('b.yaml', 'b', 'https://b.example:6443');

  it('prefers an explicit path over KUBECONFIG', () => {
    const kc = loadKubeConfig(a, { KUBECONFIG: b });
    assert.equal(kc.getCurrentCluster()?.server, 'https://a.example:6443');
  });

  it('merges a KUBECONFIG list with the first file’s current-context winning', () => {
    const kc = loadKubeConfig(undefined, { KUBECONFIG: [b, a].join(delimiter) });
    assert.equal(kc.getCurrentContext(), 'b');
    assert.deepEqual(
      kc
        .getClusters()
        .map((c) => c.name)
        .sort(),
      ['a', 'b'],
    );
    const dup = loadKubeConfig(undefined, { KUBECONFIG: [a, a].join(delimiter) });
    assert.equal(dup.getClusters().length, 1, 'duplicate names do not fail; the first wins');
  });

  it('reads ~/.kube/config when nothing else is set', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(
      join(home, '.kube', 'config'),
      JSON.stringify({
        clusters: [{ name: 'h', cluster: { server: 'https://h.example' } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'h', context: { cluster: 'h', user: 'u' } }],
        'current-context': 'h',
      }),
    );
    assert.equal(loadKubeConfig(undefined, { HOME: home }).getCurrentCluster()?.server, 'https://h.example');
  });

  it('fails clearly instead of falling back to localhost:8080', () => {
    assert.throws(
      () => loadKubeConfig(undefined, { HOME: join(dir, 'nohome') }),
      (err: unknown) =>
        err instanceof KubeConfigError && /no kubeconfig/.test(err.message) && !/8080/.test(err.message),
    );
  });

  it("a context given replaces the current-context, as kubectl's --context", () => {
    const kc = loadKubeConfig(undefined, { KUBECONFIG: [a, b].join(delimiter) }, 'b');
    assert.equal(kc.getCurrentCluster()?.server, 'https://b.example:6443');
    assert.equal(loadKubeConfig(a, {}, 'a').getCurrentCluster()?.server, 'https://a.example:6443');
  });

  it('names the file when it is missing or has no usable context', () => {
    assert.throws(
      () => loadKubeConfig(join(dir, 'missing.yaml'), {}),
      (err: unknown) => err instanceof KubeConfigError && err.message.includes('missing.yaml'),
    );
    const broken = config('broken.yaml', 'c', 'https://c.example', 'nonexistent');
    assert.throws(
      () => loadKubeConfig(broken, {}),
      (err: unknown) => err instanceof KubeConfigError && /current-context/.test(err.message),
    );
    assert.throws(
      () => loadKubeConfig(broken, {}, 'other'),
      (err: unknown) =>
        err instanceof KubeConfigError && /current-context \(it names "other"/.test(err.message),
    );
    const noServer = config('noserver.yaml', 'd', '');
    assert.throws(() => loadKubeConfig(noServer, {}), /noserver\.yaml/);
  });

  it('never puts the token into its errors', () => {
    const broken = config('broken2.yaml', 'e', '', 'e');
    assert.throws(
      () => loadKubeConfig(broken, {}),
      (err: unknown) => err instanceof Error && !err.message.includes('secret-token'),
    );
  });

  it('names the line of a YAML error without quoting the file, whose lines may hold credentials', () => {
    const path = join(dir, 'typo.yaml');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'users:',
        '- name: u',
        '  user:',
        '    token: SECRET-TOKEN-abc123',
        '    bad: [unclosed',
        '',
      ].join('\n'),
    );
    assert.throws(
      () => loadKubeConfig(path, {}),
      (err: unknown) => {
        assert.ok(err instanceof KubeConfigError);
        assert.match(err.message, /typo\.yaml: .+ at line \d+, column \d+/);
        // What a logger would print: message, stack and the whole cause chain.
        const printed =
          JSON.stringify(err, Object.getOwnPropertyNames(err)) + String(err.stack) + String(err.cause);
        assert.ok(!printed.includes('SECRET-TOKEN'), printed);
        return true;
      },
    );
  });
});
