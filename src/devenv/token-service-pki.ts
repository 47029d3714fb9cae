// Key material for lifeboat's registry token service in tests and `lifeboat dev`: a signer whose
// self-signed certificate distribution trusts as `auth.token.rootcertbundle`, and a CA plus server
// certificate (localhost and 127.0.0.1) for the HTTPS endpoint. In production the operator provides
// both Secrets; lifeboat never makes certificates for the token service.
import { readFileSync } from 'node:fs';
import { createCa, issueCert, type KeyPair } from './pki.ts';

export interface TokenServicePki {
  /** Signs the tokens (EC P-256: ES256); its certificate is the registry's rootcertbundle. */
  readonly signer: KeyPair;
  /** The CA of the endpoint's certificate: clients (crane via SSL_CERT_FILE, lifeboat via --registry-ca) trust it. */
  readonly endpointCa: KeyPair;
  /** The endpoint's certificate, for localhost and 127.0.0.1. */
  readonly endpoint: KeyPair;
}

export function createTokenServicePki(dir: string): TokenServicePki {
  const signer = createCa(dir, 'token-signer');
  const endpointCa = createCa(dir, 'token-endpoint-ca');
  const endpoint = issueCert(endpointCa, dir, 'token-endpoint', {
    commonName: 'localhost',
    ips: ['127.0.0.1', '::1'],
    dnsNames: ['localhost'],
    usage: 'server',
  });
  return { signer, endpointCa, endpoint };
}

/** A kubernetes.io/tls Secret's `data` from a key pair's files. */
export function tlsSecretData(pair: KeyPair): Record<string, string> {
  return {
    'tls.crt': readFileSync(pair.cert).toString('base64'),
    'tls.key': readFileSync(pair.key).toString('base64'),
  };
}
