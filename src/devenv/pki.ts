// Certificates for the embedded servers, made with the machine's openssl (EC P-256: fast to generate).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createCa(dir: string, name: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      .concat(['-keyout', pair.key, '-out', pair.cert, '-days', '3650', '-subj', `/CN=${name}`])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
    dir,
  );
  return pair;
}

export interface CertRequest {
  readonly commonName: string;
  readonly organization?: string;
  readonly ips?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly usage: 'server' | 'client';
}

export function issueCert(ca: KeyPair, dir: string, name: string, request: CertRequest): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const subject = (request.organization ? `/O=${request.organization}` : '') + `/CN=${request.commonName}`;
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      pair.key,
      '-out',
      csr,
      '-subj',
      subject,
    ]),
    dir,
  );
  const sans = [
    ...(request.ips ?? []).map((ip) => `IP:${ip}`),
    ...(request.dnsNames ?? []).map((dns) => `DNS:${dns}`),
  ];
  const lines = [`extendedKeyUsage=${request.usage === 'server' ? 'serverAuth' : 'clientAuth'}`];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(',')}`);
  writeFileSync(ext, lines.join('\n') + '\n');
  openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'].concat([
      '-days',
      '3650',
      '-extfile',
      ext,
      '-out',
      pair.cert,
    ]),
    dir,
  );
  return pair;
}

/** A bare EC key pair in PEM (for service-account token signing). */
export function createSigningKey(dir: string, name: string): { readonly key: string; readonly pub: string } {
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['ec', '-in', key, '-pubout', '-out', pub], dir);
  return { key, pub };
}
