// The webhook's CA and serving certificate (issue 17: TLS that manages itself). Keys come from
// node:crypto; node-forge only builds and signs the X.509 structures (Node can parse them but not
// make them). Pure apart from key generation and the clock given in.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** PEM text of one CA and the serving certificate it signed, as the Secret stores them. */
export interface WebhookCertificates {
  readonly caCert: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
}

export interface CertificateLifetimes {
  /** How long the CA is valid; it signs every serving certificate, so it outlives many of them. */
  readonly caMs: number;
  /** How long one serving certificate is valid. */
  readonly servingMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Certificates are valid from this long before they are issued, so a peer whose clock is a little
 * behind accepts them at once. Not part of the lifetime: renewal is measured from the issue time.
 */
const BACKDATE_MS = 60_000;

/**
 * A year per serving certificate (renewed at 2/3 of it, see `renewalDue`), ten for the CA. A CA this
 * long-lived is what lets a rotation never change the caBundle the API server trusts.
 */
export const DEFAULT_LIFETIMES: CertificateLifetimes = Object.freeze({
  caMs: 3650 * DAY_MS,
  servingMs: 365 * DAY_MS,
});

/** The fraction of a serving certificate's lifetime after which it is replaced. */
export const RENEW_AT_FRACTION = 2 / 3;

/** A new CA and a serving certificate for `hosts` (DNS names or IP addresses) signed by it. */
export function issueCertificates(
  hosts: readonly string[],
  now: Date,
  lifetimes: CertificateLifetimes,
): WebhookCertificates {
  const ca = newKeyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serialNumber();
  caCert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  caCert.validity.notAfter = new Date(now.getTime() + lifetimes.caMs);
  const caName = [{ name: 'commonName', value: 'lifeboat-webhook-ca' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const caPems = {
    caCert: forge.pki.certificateToPem(caCert),
    caKey: forge.pki.privateKeyToPem(ca.privateKey),
  };
  return { ...caPems, ...issueServingCertificate(caPems, hosts, now, lifetimes.servingMs) };
}

/** A new serving certificate for `hosts`, signed by the CA (which is kept: caBundle stays valid). */
export function issueServingCertificate(
  ca: { caCert: string; caKey: string },
  hosts: readonly string[],
  now: Date,
  lifetimeMs: number,
): { cert: string; key: string } {
  const issuer = forge.pki.certificateFromPem(ca.caCert);
  const issuerKey = forge.pki.privateKeyFromPem(ca.caKey);
  const pair = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  // Never past the CA: a certificate that outlives its issuer is not trusted that long anyway.
  cert.validity.notAfter = new Date(Math.min(now.getTime() + lifetimeMs, issuer.validity.notAfter.getTime()));
  cert.setSubject([{ name: 'commonName', value: hosts[0] ?? 'lifeboat-webhook' }]);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Go's TLS (the API server) checks subjectAltName only, never the common name.
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (isIP(h) === 0 ? { type: 2, value: h } : { type: 7, ip: h })),
    },
  ]);
  cert.sign(issuerKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(pair.privateKey) };
}

/**
 * Whether the serving certificate must be replaced at `now`: past RENEW_AT_FRACTION of its lifetime,
 * not covering every host, not signed by the CA, or unreadable.
 */
export function renewalDue(certs: WebhookCertificates, hosts: readonly string[], now: Date): boolean {
  try {
    const cert = new X509Certificate(certs.cert);
    const ca = new X509Certificate(certs.caCert);
    if (!cert.verify(ca.publicKey)) return true;
    if (now.getTime() >= renewalTime(cert)) return true;
    return !hosts.every((h) =>
      isIP(h) === 0 ? cert.checkHost(h) !== undefined : cert.checkIP(h) !== undefined,
    );
  } catch {
    return true;
  }
}

/** Whether the CA itself is unusable at `now` (unreadable, or past RENEW_AT_FRACTION): replace everything. */
export function caRenewalDue(certs: WebhookCertificates, now: Date): boolean {
  try {
    return now.getTime() >= renewalTime(new X509Certificate(certs.caCert));
  } catch {
    return true;
  }
}

/** RENEW_AT_FRACTION of the way from issue (validFrom without the backdating) to expiry. */
function renewalTime(cert: X509Certificate): number {
  const issued = Date.parse(cert.validFrom) + BACKDATE_MS;
  const expires = Date.parse(cert.validTo);
  return issued + (expires - issued) * RENEW_AT_FRACTION;
}

function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
  };
}

/** 16 random bytes, high bit clear (a positive DER integer), as hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
