import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { HealthServerListenError, startHealthServer, type HealthServerOptions } from './health-server.ts';
import { createRateLimitingQueue } from './workqueue/rate-limiting-queue.ts';

async function serve(t: TestContext, options: Partial<HealthServerOptions> = {}) {
  const registry = options.registry ?? new Registry();
  const server = await startHealthServer({ address: '127.0.0.1:0', registry, ...options });
  t.after(() => server.close());
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://${server.address}${path}`, { method });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  return { server, registry, get };
}

describe('health server', () => {
  it('binds port 0 and reports the port it got', async (t) => {
    const { server } = await serve(t);
    assert.match(server.address, /^127\.0\.0\.1:[1-9]\d*$/);
  });

  it('answers /healthz with 200 ok', async (t) => {
    const { get } = await serve(t);
    assert.deepEqual(await get('/healthz'), {
      status: 200,
      type: 'text/plain; charset=utf-8',
      body: 'ok\n',
    });
  });

  it('answers /readyz with 503 naming the failing checks until every check passes', async (t) => {
    let synced = false;
    const { get } = await serve(t, {
      readyChecks: {
        informers: () => synced,
        leader: () => Promise.resolve(true),
      },
    });
    const before = await get('/readyz');
    assert.equal(before.status, 503);
    assert.match(before.body, /^\[-\]informers failed$/m);
    assert.match(before.body, /^\[\+\]leader ok$/m);
    synced = true;
    const after = await get('/readyz');
    assert.equal(after.status, 200);
    assert.match(after.body, /^\[\+\]informers ok$/m);
    assert.match(after.body, /readyz check passed/);
  });

  it('fails a ready check that throws, rejects or hangs', async (t) => {
    const { get } = await serve(t, {
      checkTimeoutMs: 20,
      readyChecks: {
        throws: () => {
          throw new Error('boom');
        },
        rejects: () => Promise.reject(new Error('boom')),
        hangs: () => new Promise<boolean>(() => undefined),
      },
    });
    const r = await get('/readyz');
    assert.equal(r.status, 503);
    for (const name of ['throws', 'rejects', 'hangs']) {
      assert.match(r.body, new RegExp(`^\\[-\\]${name} failed$`, 'm'));
    }
  });

  it('is ready with no checks at all', async (t) => {
    const { get } = await serve(t);
    assert.equal((await get('/readyz')).status, 200);
  });

  it('serves Prometheus text with workqueue metrics after queue activity', async (t) => {
    const registry = new Registry();
    const queue = createRateLimitingQueue<string>({ name: 'workloads', registry });
    t.after(() => queue.shutDown());
    queue.add('ns/a');
    queue.add('ns/b');
    const { item } = await queue.get();
    assert.ok(item);
    queue.done(item);
    const { get } = await serve(t, { registry });
    const r = await get('/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.type, registry.contentType);
    assert.match(r.body, /^# TYPE workqueue_adds_total counter$/m);
    assert.match(r.body, /^workqueue_adds_total\{name="workloads"\} 2$/m);
    assert.match(r.body, /^workqueue_depth\{name="workloads"\} 1$/m);
    assert.match(r.body, /^workqueue_work_duration_seconds_count\{name="workloads"\} 1$/m);
    assert.match(r.body, /^workqueue_unfinished_work_seconds\{name="workloads"\} 0$/m);
  });

  it('answers 404 for unknown paths and 405 for other methods', async (t) => {
    const { get } = await serve(t);
    assert.equal((await get('/')).status, 404);
    assert.equal((await get('/metrics/extra')).status, 404);
    assert.equal((await get('/healthz', 'POST')).status, 405);
    const head = await get('/healthz', 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
  });

  it('rejects an address it cannot parse or bind, with a typed error', async (t) => {
    await assert.rejects(
      startHealthServer({ address: 'no-port', registry: new Registry() }),
      HealthServerListenError,
    );
    const { server } = await serve(t);
    await assert.rejects(
      startHealthServer({ address: server.address, registry: new Registry() }),
      (err: unknown) =>
        err instanceof HealthServerListenError && (err.cause as NodeJS.ErrnoException).code === 'EADDRINUSE',
    );
  });
});
