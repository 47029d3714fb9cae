import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { caRenewalDue, issueCertificates, issueServingCertificate, renewalDue } from './certificates.ts';

const HOUR = 3_600_000;
const now = new Date('2026-01-01T00:00:00Z');
const hosts = ['lifeboat-webhook.lifeboat-system.svc', '127.0.0.1'];

test('certificates: the serving certificate covers every host, for servers only, signed by the CA', () => {
  const certs = issueCertificates(hosts, now, { caMs: 30 * HOUR, servingMs: 3 * HOUR });
  const ca = new X509Certificate(certs.caCert);
  const cert = new X509Certificate(certs.cert);
  assert.ok(ca.ca);
  assert.ok(!cert.ca);
  assert.ok(cert.verify(ca.publicKey));
  assert.ok(cert.checkIssued(ca));
  assert.equal(
    cert.checkHost('lifeboat-webhook.lifeboat-system.svc'),
    'lifeboat-webhook.lifeboat-system.svc',
  );
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkHost('other.example.com'), undefined);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(Date.parse(cert.validTo) - now.getTime(), 3 * HOUR);
});

test('certificates: renewal is due at 2/3 of the lifetime, not before', () => {
  const certs = issueCertificates(hosts, now, { caMs: 30 * HOUR, servingMs: 3 * HOUR });
  assert.equal(renewalDue(certs, hosts, now), false);
  assert.equal(renewalDue(certs, hosts, new Date(now.getTime() + 1.9 * HOUR)), false);
  assert.equal(renewalDue(certs, hosts, new Date(now.getTime() + 2.1 * HOUR)), true);
  assert.equal(caRenewalDue(certs, new Date(now.getTime() + 2.1 * HOUR)), false);
  assert.equal(caRenewalDue(certs, new Date(now.getTime() + 21 * HOUR)), true);
});

test('certificates: a short-lived certificate is renewed at 2/3 of its own lifetime (the backdating does not count)', () => {
  const certs = issueCertificates(hosts, now, { caMs: 30 * HOUR, servingMs: 15_000 });
  assert.equal(renewalDue(certs, hosts, new Date(now.getTime() + 9_000)), false);
  assert.equal(renewalDue(certs, hosts, new Date(now.getTime() + 10_000)), true);
});

test('certificates: a host the certificate does not cover, or another CA, makes renewal due', () => {
  const certs = issueCertificates(hosts, now, { caMs: 30 * HOUR, servingMs: 3 * HOUR });
  assert.equal(renewalDue(certs, [...hosts, 'new.example.com'], now), true);
  const other = issueCertificates(hosts, now, { caMs: 30 * HOUR, servingMs: 3 * HOUR });
  assert.equal(renewalDue({ ...certs, caCert: other.caCert }, hosts, now), true);
  assert.equal(renewalDue({ ...certs, cert: 'garbage' }, hosts, now), true);
});

test('certificates: a renewed serving certificate is signed by the same CA and never outlives it', () => {
  const certs = issueCertificates(hosts, now, { caMs: 4 * HOUR, servingMs: 3 * HOUR });
  const later = new Date(now.getTime() + 2 * HOUR);
  const renewed = issueServingCertificate(certs, hosts, later, 3 * HOUR);
  const cert = new X509Certificate(renewed.cert);
  assert.ok(cert.verify(new X509Certificate(certs.caCert).publicKey));
  assert.equal(Date.parse(cert.validTo), now.getTime() + 4 * HOUR);
  assert.notEqual(renewed.cert, certs.cert);
});
