import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRegistryKeys, parseRegistryPattern, patternMatches } from './registry-pattern.ts';

test('parseRegistryPattern reads every spelling of a key as the kubelet does', () => {
  const table: [string, string | undefined][] = [
    ['quay.io', 'quay.io'],
    ['Quay.IO', 'quay.io'],
    ['https://quay.io', 'quay.io'],
    ['http://quay.io/', 'quay.io'],
    ['quay.io/team', 'quay.io/team'],
    ['https://quay.io/v2/team/app', 'quay.io/team/app'],
    ['quay.io/v1/', 'quay.io'],
    ['registry.example.com:5000', 'registry.example.com:5000'],
    ['registry.example.com:5000/path', 'registry.example.com:5000/path'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['index.docker.io:443', 'index.docker.io:443'],
    ['*.gcr.io', '*.gcr.io'],
    ['[::1]:5000', '[::1]:5000'],
    ['', undefined],
    ['ftp://quay.io', undefined],
    ['quay.io:port', undefined],
    ['/just/a/path', undefined],
  ];
  for (const [key, want] of table) assert.equal(parseRegistryPattern(key)?.key, want, key);
});

test('patternMatches: same port, same number of labels, globbed labels, path as a string prefix', () => {
  const table: [key: string, host: string, path: string, want: boolean][] = [
    ['quay.io', 'quay.io', 'team/app', true],
    ['quay.io', 'QUAY.io', 'team/app', true],
    ['quay.io/team', 'quay.io', 'team/app', true],
    ['quay.io/team/', 'quay.io', 'team/app', true],
    ['quay.io/team', 'quay.io', 'other/app', false],
    // The kubelet compares paths as strings, not components.
    ['quay.io/team', 'quay.io', 'teammate/app', true],
    ['quay.io', 'quay.io:443', 'team/app', false],
    ['quay.io:443', 'quay.io', 'team/app', false],
    ['r.example.com:5000', 'r.example.com:5000', 'a', true],
    ['r.example.com:5000', 'r.example.com:5001', 'a', false],
    ['*.gcr.io', 'eu.gcr.io', 'project/app', true],
    ['*.gcr.io', 'gcr.io', 'project/app', false],
    ['*.io', 'eu.gcr.io', 'project/app', false],
    ['k8s.*.io', 'k8s.gcr.io', 'pause', true],
    ['app*.k8s.io', 'apps.k8s.io', 'x', true],
    ['app*.k8s.io', 'web.k8s.io', 'x', false],
    ['gcr.io', 'gcrxio', 'x', false],
    ['https://index.docker.io/v1/', 'docker.io', 'library/nginx', true],
    ['index.docker.io', 'docker.io', 'library/nginx', true],
    ['docker.io', 'index.docker.io', 'library/nginx', true],
    ['docker.io/library', 'docker.io', 'library/nginx', true],
    ['docker.io/library', 'docker.io', 'someone/nginx', false],
    ['localhost:5000', 'localhost:5000', 'a/b', true],
    ['[::1]:5000', '[::1]:5000', 'a', true],
  ];
  for (const [key, host, path, want] of table) {
    const pattern = parseRegistryPattern(key);
    assert.ok(pattern, key);
    assert.equal(patternMatches(pattern, host, path), want, `${key} vs ${host}/${path}`);
  }
});

test('compareRegistryKeys puts longer keys before their prefixes and exact labels before globs', () => {
  const keys = ['quay.io', '*.quay.io', 'quay.io/team', 'eu.quay.io', 'quay.io/team/app'];
  assert.deepEqual(keys.sort(compareRegistryKeys), [
    'quay.io/team/app',
    'quay.io/team',
    'quay.io',
    'eu.quay.io',
    '*.quay.io',
  ]);
});
