import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInsecureRegistry, registryOrigin, wireHost } from './scheme.ts';

test('isInsecureRegistry matches host:port exactly and a bare host on any port', () => {
  const table: [string, string[], boolean][] = [
    ['127.0.0.1:5000', ['127.0.0.1:5000'], true],
    ['127.0.0.1:5001', ['127.0.0.1:5000'], false],
    ['127.0.0.1:5001', ['127.0.0.1'], true],
    ['127.0.0.1', ['127.0.0.1:5000'], false],
    ['Registry.Local:5000', ['registry.local'], true],
    ['registry.local:5000', ['http://registry.local:5000/'], true],
    ['registry.local.evil:5000', ['registry.local'], false],
    ['[::1]:5000', ['[::1]:5000'], true],
    ['[::1]:5000', ['[::1]'], true],
    ['quay.io', [], false],
    ['quay.io', [''], false],
  ];
  for (const [registry, list, want] of table) {
    assert.equal(isInsecureRegistry(registry, list), want, `${registry} in ${JSON.stringify(list)}`);
  }
});

test('docker.io is reached at registry-1.docker.io, over https unless insecure', () => {
  assert.equal(wireHost('docker.io'), 'registry-1.docker.io');
  assert.equal(wireHost('index.docker.io'), 'registry-1.docker.io');
  assert.equal(wireHost('quay.io'), 'quay.io');
  assert.equal(registryOrigin('docker.io', false), 'https://registry-1.docker.io');
  assert.equal(registryOrigin('127.0.0.1:5000', true), 'http://127.0.0.1:5000');
});
