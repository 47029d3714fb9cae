import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { AdmissionAnswer } from './admit.ts';
import { issueCertificates, issueServingCertificate } from './certificates.ts';
import { admissionMetrics } from './metrics.ts';
import { startAdmissionServer, type AdmissionServer } from './server.ts';

const certs = issueCertificates(['127.0.0.1'], new Date(), { caMs: 86_400_000, servingMs: 3_600_000 });
const registry = new Registry();
let server: AdmissionServer;
let answer: AdmissionAnswer = { result: 'unchanged', patch: [], warnings: [] };

before(async () => {
  server = await startAdmissionServer({
    address: '127.0.0.1:0',
    certificate: certs,
    admit: () => answer,
    metrics: admissionMetrics(registry),
    logger: pino({ level: 'silent' }),
    maxBodyBytes: 64 * 1024,
  });
});
after(() => server.close());

function post(path: string, body: string, method = 'POST'): Promise<{ status: number; text: string }> {
  const port = Number(server.address.split(':').pop());
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca: certs.caCert,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const review = (object: unknown) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'u-1', namespace: 'team', operation: 'CREATE', object },
  });

async function requests(result: string): Promise<number> {
  const metric = (await registry.getSingleMetric('lifeboat_admission_requests_total')?.get())?.values ?? [];
  return metric.find((v) => v.labels.result === result)?.value ?? 0;
}

test('admission server: a review is answered with the uid, allowed, and the patch base64-encoded', async () => {
  answer = {
    result: 'mutated',
    patch: [{ op: 'replace', path: '/spec/containers/0/image', value: 'x' }],
    warnings: [],
  };
  const before = await requests('mutated');
  const res = await post('/mutate-pods', review({ spec: { containers: [] } }));
  assert.equal(res.status, 200);
  const body = JSON.parse(res.text) as {
    apiVersion: string;
    kind: string;
    response: Record<string, unknown>;
  };
  assert.equal(body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(body.kind, 'AdmissionReview');
  assert.equal(body.response.uid, 'u-1');
  assert.equal(body.response.allowed, true);
  assert.equal(body.response.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(body.response.patch as string, 'base64').toString()), answer.patch);
  assert.equal(await requests('mutated'), before + 1);
  assert.match(await registry.metrics(), /^lifeboat_admission_duration_seconds_count [1-9]/m);
});

test('admission server: an unchanged answer carries no patch; warnings are passed on', async () => {
  answer = { result: 'error', patch: [], warnings: ['could not read'] };
  const res = await post('/mutate-pods', review({}));
  const body = JSON.parse(res.text) as { response: Record<string, unknown> };
  assert.equal(body.response.allowed, true);
  assert.equal(body.response.patch, undefined);
  assert.deepEqual(body.response.warnings, ['could not read']);
});

for (const [name, body, reason] of [
  ['not JSON', '{', /not JSON/],
  ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'Pod' }), /AdmissionReview/],
  [
    'no request',
    JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
    /request is missing/,
  ],
  [
    'no uid',
    JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { object: {} } }),
    /uid/,
  ],
] as const) {
  test(`admission server: a malformed review (${name}) is a 400 with the reason, counted as an error`, async () => {
    const before = await requests('error');
    const res = await post('/mutate-pods', body);
    assert.equal(res.status, 400);
    assert.match(res.text, reason);
    assert.equal(await requests('error'), before + 1);
  });
}

test('admission server: a body over the limit is refused with 413', async () => {
  const res = await post('/mutate-pods', review({ padding: 'x'.repeat(100 * 1024) }));
  assert.equal(res.status, 413);
});

test('admission server: other paths are 404, other methods 405', async () => {
  assert.equal((await post('/other', '{}')).status, 404);
  assert.equal((await post('/mutate-pods', '', 'GET')).status, 405);
});

test('admission server: a new certificate is served to new connections without a restart', async () => {
  const servedSerial = () =>
    new Promise<string>((resolve, reject) => {
      const port = Number(server.address.split(':').pop());
      const socket = connect({ host: '127.0.0.1', port, ca: certs.caCert, servername: undefined }, () => {
        const serial = new X509Certificate(socket.getPeerX509Certificate()!.raw).serialNumber;
        socket.end();
        resolve(serial);
      });
      socket.on('error', reject);
    });
  const first = await servedSerial();
  assert.equal(first, new X509Certificate(certs.cert).serialNumber);
  const renewed = issueServingCertificate(certs, ['127.0.0.1'], new Date(), 3_600_000);
  server.setCertificate(renewed);
  assert.equal(await servedSerial(), new X509Certificate(renewed.cert).serialNumber);
});
