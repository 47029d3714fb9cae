import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { countRequests } from './audit.ts';
import { percentile } from './report.ts';

const USER = 'system:serviceaccount:lifeboat-system:lifeboat';
const event = (
  at: string,
  verb: string,
  resource: string,
  code = 200,
  username = USER,
  subresource?: string,
) =>
  JSON.stringify({
    stage: 'ResponseComplete',
    verb,
    user: { username },
    objectRef: { resource, ...(subresource ? { subresource } : {}) },
    responseStatus: { code },
    requestReceivedTimestamp: at,
  });

it('counts requests and writes by verb and resource within windows, for one user only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
  try {
    const log = join(dir, 'audit.log');
    writeFileSync(
      log,
      [
        event('2026-12-07T03:00:00.100000Z', 'list', 'deployments'),
        event('2026-12-07T03:00:01.000000Z', 'patch', 'deployments'),
        event('2026-12-07T03:00:01.500000Z', 'create', 'imagebackups', 409),
        event('2026-12-07T03:00:01.600000Z', 'patch', 'imagebackups', 200, USER, 'status'),
        event('2026-12-07T03:00:01.700000Z', 'patch', 'deployments', 200, 'admin'),
        event('2026-12-07T03:00:05.000000Z', 'get', 'secrets'),
        '',
      ].join('\n'),
    );
    const from = Date.parse('2026-12-07T03:00:00Z');
    const counts = await countRequests(log, USER, [
      { name: 'a', from, to: from + 2_000 },
      { name: 'b', from: from + 2_000, to: from + 10_000 },
    ]);
    assert.deepEqual(counts.a, {
      requests: 4,
      writes: 3,
      byVerbResource: {
        'list deployments': 1,
        'patch deployments': 1,
        'create imagebackups': 1,
        'patch imagebackups/status': 1,
      },
      failures: { 'create imagebackups 409': 1 },
    });
    assert.deepEqual(counts.b, {
      requests: 1,
      writes: 0,
      byVerbResource: { 'get secrets': 1 },
      failures: {},
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('takes the nearest-rank percentile', () => {
  const values = Array.from({ length: 20 }, (_, i) => 20 - i);
  assert.equal(percentile(values, 50), 10);
  assert.equal(percentile(values, 95), 19);
  assert.equal(percentile([7], 95), 7);
});
