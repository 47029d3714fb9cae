import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registryRequestMetrics } from './metrics.ts';

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
