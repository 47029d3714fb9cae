import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registryHostLabel, registryRequestMetrics } from './metrics.ts';

test('registryRequestMetrics counts requests by host, method and code, and times them', async () => {
  const registry = new Registry();
  const hook = registryRequestMetrics(registry);
  hook({ host: 'r.example', method: 'GET', status: 200, durationMs: 12 });
  hook({ host: 'r.example', method: 'GET', status: 200, durationMs: 8 });
  hook({ host: 'r.example', method: 'PUT', status: undefined, durationMs: 3 });
  const text = await registry.metrics();
  assert.match(text, /lifeboat_registry_requests_total\{host="r\.example",method="GET",code="200"\} 2/);
  assert.match(text, /lifeboat_registry_requests_total\{host="r\.example",method="PUT",code="error"\} 1/);
  assert.match(text, /lifeboat_registry_request_duration_seconds_count\{host="r\.example",method="GET"\} 2/);
  assert.match(
    text,
    /lifeboat_registry_request_duration_seconds_sum\{host="r\.example",method="GET"\} 0\.02/,
  );
});

describe('registryHostLabel', () => {
  const label = registryHostLabel(['backup.example:5000', 'docker.io', 'Quay.io']);

  it('names the backup registry and the --source-registries entries as written', () => {
    assert.equal(label('backup.example:5000'), 'backup.example:5000');
    assert.equal(label('quay.io'), 'Quay.io');
    assert.equal(label('docker.io'), 'docker.io');
    // Docker Hub's other names are the same registry.
    assert.equal(label('index.docker.io'), 'docker.io');
    assert.equal(label('registry-1.docker.io'), 'docker.io');
  });

  it('puts every other host under "other": a tenant writing hosts into images adds no series', () => {
    assert.equal(label('backup.example'), 'other', 'another port is another registry');
    assert.equal(label('evil-1.example'), 'other');
    assert.equal(label('127.0.0.1:1'), 'other');
  });
});
