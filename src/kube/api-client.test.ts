import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeApiError, KubeConfigError, KubeTransportError } from './api-client-errors.ts';
import { createKubeApi } from './api-client.ts';
import type { KubeApi } from './api-client.ts';
import { RESOURCES } from './resource.ts';
import { resourceClient } from './resource-client.ts';

const TOKEN = 'very-secret-token';
type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

describe('createKubeApi (against a loopback HTTP server)', () => {
  let handler: Handler = () => {};
  let requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  });
  server.on('connection', () => connections++);
  let api: KubeApi;
  const kubeConfig = new KubeConfig();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const namespaceList = {
    kind: 'NamespaceList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '5' },
    items: [],
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = kubeConfig;
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'u', token: TOKEN }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    api = createKubeApi({
      kubeConfig: kc,
      qps: 0,
      timeoutMs: 500,
      retry: { maxRetries: 2, initialMs: 1, maxMs: 5, maxRetryAfterMs: 50 },
    });
  });
  after(async () => {
    await api.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = [];
    handler = (_req, res) => json(res, 200, namespaceList);
  });

  it('sends every resource call through one shared keep-alive agent with auth and user agent', async () => {
    // client-node alone makes a new undici Agent, hence a new connection, per call.
    const plain = kubeConfig.makeApiClient(CoreV1Api);
    let before = connections;
    for (let i = 0; i < 10; i++) await plain.listNamespace();
    const plainConnections = connections - before;

    before = connections;
    let agentConnects = 0;
    const onConnect = () => agentConnects++;
    api.agent.on('connect', onConnect);
    const namespaces = resourceClient(api, RESOURCES.namespaces);
    for (let i = 0; i < 10; i++) await namespaces.list();
    await api.requestJson({ path: '/api/v1/namespaces' });
    api.agent.off('connect', onConnect);
    const ours = connections - before;

    assert.equal(plainConnections, 10, 'baseline: one connection per call without the shared agent');
    // undici may open a second socket while the first is being returned to the pool; never more.
    assert.ok(ours <= 2, `expected at most two connections for 11 calls, got ${ours}`);
    assert.equal(agentConnects, ours, 'every connection was made by the shared agent');
    for (const r of requests.slice(10)) {
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(r.headers['user-agent'], 'lifeboat');
    }
  });

  it('retries a 429 on POST after Retry-After and succeeds', async () => {
    handler = (_req, res, n) => {
      if (n === 1)
        json(res, 429, { kind: 'Status', code: 429, reason: 'TooManyRequests' }, { 'retry-after': '0' });
      else json(res, 201, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x' } });
    };
    const ns = await resourceClient(api, RESOURCES.namespaces).create({ metadata: { name: 'x' } });
    assert.equal(ns.metadata.name, 'x');
    assert.deepEqual(
      requests.map((r) => r.method),
      ['POST', 'POST'],
    );
  });

  it('retries 5xx on GET until the retries run out, then returns the status', async () => {
    handler = (_req, res) => json(res, 503, { kind: 'Status', code: 503, message: 'unavailable' });
    await assert.rejects(
      resourceClient(api, RESOURCES.namespaces).list(),
      (err: unknown) => err instanceof KubeApiError && err.status === 503,
    );
    assert.equal(requests.length, 3, 'one attempt and two retries');
    requests = [];
    await assert.rejects(
      api.requestJson({ path: '/api/v1/namespaces' }),
      (err: unknown) =>
        err instanceof KubeApiError && err.status === 503 && err.temporary && !err.message.includes(TOKEN),
    );
    assert.equal(requests.length, 3);
  });

  it('never puts the bearer token into retry logs or errors', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const logged = createKubeApi({
      kubeConfig,
      qps: 0,
      logger,
      retry: { maxRetries: 1, initialMs: 1, maxMs: 1 },
    });
    handler = (_req, res) => json(res, 503, { kind: 'Status', code: 503 });
    const errors: unknown[] = [];
    await logged.requestJson({ path: '/api/v1/namespaces' }).catch((err: unknown) => errors.push(err));
    await resourceClient(logged, RESOURCES.namespaces)
      .list()
      .catch((err: unknown) => errors.push(err));
    handler = () => {};
    await logged
      .requestJson({ path: '/api/v1/namespaces', timeoutMs: 50 })
      .catch((err: unknown) => errors.push(err));
    await logged.close();
    assert.equal(errors.length, 3);
    assert.ok(
      lines.some((l) => l.includes('retrying Kubernetes API call')),
      'retries were logged',
    );
    for (const text of [...lines, ...errors.map((e) => `${String(e)} ${JSON.stringify(e)}`)]) {
      assert.ok(!text.includes(TOKEN), `token leaked: ${text}`);
    }
  });

  it('does not retry a 5xx on POST, which may have been applied', async () => {
    handler = (_req, res) => json(res, 500, { kind: 'Status', code: 500 });
    await assert.rejects(
      resourceClient(api, RESOURCES.namespaces).create({ metadata: { name: 'y' } }),
      (err: unknown) => err instanceof KubeApiError && err.status === 500,
    );
    assert.equal(requests.length, 1);
  });

  it('does not retry 4xx answers', async () => {
    handler = (_req, res) =>
      json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' });
    await assert.rejects(
      api.requestJson({ path: '/api/v1/namespaces' }),
      (err: unknown) =>
        err instanceof KubeApiError && err.status === 403 && err.reason === 'Forbidden' && !err.temporary,
    );
    assert.equal(requests.length, 1);
  });

  it('times out a hung call, retries it as idempotent, and reports a transport error', async () => {
    handler = () => {}; // never answers
    await assert.rejects(
      api.requestJson({ path: '/api/v1/namespaces', timeoutMs: 100 }),
      (err: unknown) => err instanceof KubeTransportError && err.transportCode === 'TimeoutError',
    );
    assert.equal(requests.length, 3);
  });

  it('raw requests stream the body and honour the caller’s abort', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"BOOKMARK"}\n');
    };
    const ac = new AbortController();
    const res = await api.request({
      path: '/api/v1/namespaces',
      query: { watch: 1, labelSelector: 'a=b', x: undefined },
      timeoutMs: false,
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.match(requests[0]!.url, /watch=1&labelSelector=a%3Db$/);
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(String(first.value), '{"type":"BOOKMARK"}\n');
    ac.abort(new Error('done'));
    await assert.rejects(it.next());
  });
});

describe('createKubeApi auth from the kubeconfig (loopback HTTP server)', () => {
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function apiFor(user: Record<string, unknown>): KubeApi {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'u', ...user }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return createKubeApi({
      kubeConfig: kc,
      qps: 0,
      retry: { maxRetries: 0, initialMs: 1, maxMs: 1, maxRetryAfterMs: 1 },
    });
  }

  it('sends Impersonate-User for a user that only impersonates', async (t) => {
    const api = apiFor({ impersonateUser: 'alice' });
    t.after(() => api.close());
    seen.length = 0;
    await api.requestJson({ path: '/api/v1/namespaces' });
    assert.equal(seen[0]?.['impersonate-user'], 'alice');
  });

  it('refuses, naming the user, an exec plugin that answers with a client certificate', async (t) => {
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { clientCertificateData: 'CERT', clientKeyData: 'KEY' },
    };
    const api = apiFor({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(JSON.stringify(credential))})`],
        interactiveMode: 'Never',
      },
    });
    t.after(() => api.close());
    seen.length = 0;
    await assert.rejects(
      api.requestJson({ path: '/api/v1/namespaces' }),
      (err: unknown) => err instanceof KubeConfigError && /user "u".*client certificate/.test(err.message),
    );
    assert.equal(seen.length, 0, 'nothing was sent unauthenticated');
  });
});
