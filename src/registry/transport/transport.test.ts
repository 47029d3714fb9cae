// Transport behaviour that needs a server answering things no real registry would on cue: redirect
// loops, a plain-HTTP token realm, a 401 to a streamed upload. A loopback node:http server plays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InsecureRegistryError, ProtocolError, UnauthorizedError } from '../model/errors.ts';
import pino from 'pino';
import { createRegistryClient } from '../client.ts';
import { createTokenHttp } from './transport.ts';
import { MockAgent } from 'undici';

async function serve(
  t: { after(fn: () => Promise<void>): void },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ host: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

test('a redirect loop ends with a ProtocolError after the redirect limit', async (t) => {
  const { host, hits } = await serve(t, (_req, res) => {
    res.writeHead(307, { location: '/v2/a/blobs/sha256:x' }).end();
  });
  const client = createRegistryClient({ host, insecure: true, maxRedirects: 3 });
  t.after(() => client.close());
  await assert.rejects(client.getBlob('a', 'sha256:x'), ProtocolError);
  assert.equal(hits.length, 4);
});

test('a plain-HTTP token realm is refused for a registry reached over TLS', async () => {
  // The check happens before any connection: the registry host need not exist.
  const http = createTokenHttp({
    registry: 'r.example',
    insecure: false,
    retry: { attempts: 1, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 },
    logger: pino({ level: 'silent' }),
    now: Date.now,
    random: Math.random,
    sleep: () => Promise.resolve(),
    wire: () => Promise.reject(new Error('must not be called')),
  });
  await assert.rejects(
    http({ method: 'GET', url: 'http://auth.example/token', headers: {} }),
    (err: unknown) => err instanceof InsecureRegistryError && /--insecure-registries/.test(err.message),
  );
});

test('a 401 to a streamed upload is a temporary UnauthorizedError: the body cannot be replayed', async (t) => {
  const { host, hits } = await serve(t, (req, res) => {
    req.resume();
    if (req.method === 'POST') {
      res.writeHead(202, { location: '/v2/a/blobs/uploads/u1' }).end();
      return;
    }
    res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
  });
  const client = createRegistryClient({
    host,
    insecure: true,
    credentials: { kind: 'basic', username: 'u', password: 'secret-pw' },
  });
  t.after(() => client.close());
  const body = Buffer.alloc(10, 1);
  await assert.rejects(
    client.pushBlob('a', 'sha256:abc', body.length, Readable.from([body])),
    (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError, String(err));
      assert.equal(err.temporary, true);
      assert.doesNotMatch(err.message, /secret-pw/);
      return true;
    },
  );
  assert.equal(hits.filter((h) => h.startsWith('PUT')).length, 1);
});

test('Authorization is sent to the registry origin but not to a redirect target on another port', async (t) => {
  const seen: (string | undefined)[] = [];
  const target = await serve(t, (req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-length': '3' }).end('abc');
  });
  const { host } = await serve(t, (req, res) => {
    if (req.headers.authorization === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      return;
    }
    res.writeHead(302, { location: `http://${target.host}/blob` }).end();
  });
  const client = createRegistryClient({
    host,
    insecure: true,
    credentials: { kind: 'basic', username: 'u', password: 'p' },
  });
  t.after(() => client.close());
  const reader = await client.getBlob('a', 'sha256:abc');
  const chunks: Buffer[] = [];
  for await (const chunk of reader.body as AsyncIterable<Buffer>) chunks.push(chunk);
  assert.equal(Buffer.concat(chunks).toString(), 'abc');
  assert.deepEqual(seen, [undefined]);
});

test('an upload Location on plain HTTP is refused for a registry reached over TLS; no body goes out', async (t) => {
  // undici's MockAgent plays an https registry behind a TLS-terminating proxy that hands out
  // http:// Locations (no X-Forwarded-Proto): a real TLS registry would not answer this on cue.
  const agent = new MockAgent();
  agent.disableNetConnect();
  t.after(() => agent.close());
  const tls = agent.get('https://reg.example');
  tls.intercept({ path: '/v2/', method: 'GET' }).reply(200, '').persist();
  tls
    .intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' })
    .reply(202, '', { headers: { location: 'http://reg.example/v2/a/blobs/uploads/u1?_state=s' } });
  const plainRequests: string[] = [];
  agent
    .get('http://reg.example')
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      plainRequests.push(`${opts.method} ${opts.path}`);
      return { statusCode: 201, data: '' };
    })
    .persist();
  const client = createRegistryClient({ host: 'reg.example', insecure: false, dispatcher: agent });
  const digest = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
  await assert.rejects(
    client.pushBlob('a', digest, 5, Readable.from([Buffer.from('hello')])),
    (err: unknown) => err instanceof InsecureRegistryError && /--insecure-registries/.test(err.message),
  );
  assert.deepEqual(plainRequests, []);
});

test('a request waiting behind the first answer of a fresh client stops at its own abort', async (t) => {
  const held: (() => void)[] = [];
  const { host } = await serve(t, (_req, res) => {
    // The first answer is held back until the test releases it; the rest answer at once.
    if (held.length === 0) held.push(() => res.writeHead(404).end());
    else res.writeHead(404).end();
  });
  const client = createRegistryClient({ host, insecure: true });
  t.after(() => client.close());
  const digest = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
  const first = client.headBlob('a', digest);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stop = new AbortController();
  const second = client.headBlob('a', digest, { signal: stop.signal });
  stop.abort(new Error('copy cancelled'));
  // Bounded, so the old behaviour (waiting for the held answer forever) fails instead of hanging.
  const bound = new AbortController();
  const stillWaiting = sleep(5_000, undefined, { signal: bound.signal }).then(() => {
    throw new Error('the aborted request was still waiting');
  });
  try {
    await assert.rejects(Promise.race([second, stillWaiting]), /copy cancelled/);
  } finally {
    bound.abort();
    await stillWaiting.catch(() => undefined);
  }
  assert.equal(held.length, 1, 'the first answer was still held back');
  held[0]?.();
  assert.equal(await first, undefined);
});

test('a chunked upload streams its parts: a 1 GiB OCI-Chunk-Min-Length costs no buffer, one PATCH', async (t) => {
  const patches: { range: string | undefined; length: string | undefined; body: string }[] = [];
  const { host, hits } = await serve(t, (req, res) => {
    if (req.method === 'POST') {
      res
        .writeHead(202, { location: '/v2/a/blobs/uploads/u1', 'oci-chunk-min-length': String(2 ** 30) })
        .end();
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      if (req.method === 'PATCH') {
        const range = req.headers['content-range'];
        const length = req.headers['content-length'];
        patches.push({ range, length, body: Buffer.concat(parts).toString() });
        res.writeHead(202, { location: '/v2/a/blobs/uploads/u1?_state=2' }).end();
      } else {
        res.writeHead(req.method === 'PUT' ? 201 : 200).end();
      }
    });
  });
  const client = createRegistryClient({ host, insecure: true });
  t.after(() => client.close());
  const digest = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
  await client.pushBlobChunked('a', digest, 5, Readable.from([Buffer.from('hel'), Buffer.from('lo')]));
  assert.deepEqual(patches, [{ range: '0-4', length: '5', body: 'hello' }]);
  assert.ok(
    hits.includes(`PUT /v2/a/blobs/uploads/u1?_state=2&digest=${encodeURIComponent(digest)}`),
    hits.join('\n'),
  );
});
