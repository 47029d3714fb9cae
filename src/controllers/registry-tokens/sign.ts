/**
 * Signing the tokens: the key and certificate chain come from a kubernetes.io/tls Secret
 * (`--token-signing-secret`) that the operator provides; the registry trusts the chain's root as
 * its `rootcertbundle`. distribution (registry/auth/token) verifies a token's `x5c` header against
 * that bundle and takes the signing key from the leaf, so the header carries the Secret's whole
 * chain and no `kid` is needed. jose does the JWS; nothing of the crypto is written here.
 */
import { randomUUID, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SecretObject } from '../api/core-objects.ts';
import type { Access } from './decide.ts';

export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';

/** What the Secret yields: a key, the algorithm it signs with, and the chain for `x5c`. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly alg: 'ES256' | 'RS256';
  /** base64 DER of each certificate in `tls.crt`, leaf first (the JWS `x5c` header). */
  readonly x5c: readonly string[];
}

/** The certificates of a PEM bundle, in order. */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** The key pair a kubernetes.io/tls Secret holds, or why it holds none usable (never its data). */
export function tlsPairOf(
  secret: SecretObject | undefined,
  what: string,
): { readonly cert: string; readonly key: string } | { readonly problem: string } {
  if (!secret) return { problem: `${what}: Secret not found` };
  const cert = secret.data?.[TLS_CERT_KEY];
  const key = secret.data?.[TLS_KEY_KEY];
  if (!cert || !key) return { problem: `${what}: Secret has no ${TLS_CERT_KEY} and ${TLS_KEY_KEY}` };
  return {
    cert: Buffer.from(cert, 'base64').toString('utf8'),
    key: Buffer.from(key, 'base64').toString('utf8'),
  };
}

/** The signing key of `--token-signing-secret`, checked: P-256 (ES256) or RSA (RS256), matching its leaf. */
export function signingKeyOf(
  secret: SecretObject | undefined,
  what: string,
): SigningKey | { problem: string } {
  const pair = tlsPairOf(secret, what);
  if ('problem' in pair) return pair;
  let key: KeyObject;
  let chain: X509Certificate[];
  try {
    key = createPrivateKey(pair.key);
    chain = pemCertificates(pair.cert);
  } catch {
    // The parser's message may quote key material: only say which part failed.
    return { problem: `${what}: ${TLS_CERT_KEY} or ${TLS_KEY_KEY} is not PEM` };
  }
  const leaf = chain[0];
  if (!leaf) return { problem: `${what}: ${TLS_CERT_KEY} holds no certificate` };
  if (!leaf.checkPrivateKey(key))
    return { problem: `${what}: ${TLS_KEY_KEY} is not the key of the first certificate` };
  const details = key.asymmetricKeyDetails;
  const alg =
    key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1'
      ? 'ES256'
      : key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048
        ? 'RS256'
        : undefined;
  if (!alg) return { problem: `${what}: the key is neither EC P-256 nor RSA of 2048 bits or more` };
  return { key, alg, x5c: chain.map((c) => c.raw.toString('base64')) };
}

/** The lifetime of every token: short, so that a revoked reader or a rotated key stops working soon. */
export const TOKEN_TTL_SECONDS = 300;

export interface TokenClaims {
  readonly issuer: string;
  /** The registry's `service` name: the token's audience. */
  readonly service: string;
  /** Who the token is for ('' for anonymous). */
  readonly subject: string;
  readonly access: readonly Access[];
  /** Seconds since the epoch. */
  readonly now: number;
}

/** A signed JWT as distribution expects it: iss, sub, aud, exp, nbf, iat, jti, access. */
export async function signToken(signing: SigningKey, c: TokenClaims): Promise<string> {
  return new SignJWT({
    access: c.access.map((a) => ({ type: a.type, name: a.name, actions: [...a.actions] })),
  })
    .setProtectedHeader({ alg: signing.alg, typ: 'JWT', x5c: [...signing.x5c] })
    .setIssuer(c.issuer)
    .setSubject(c.subject)
    .setAudience(c.service)
    .setIssuedAt(c.now)
    .setNotBefore(c.now)
    .setExpirationTime(c.now + TOKEN_TTL_SECONDS)
    .setJti(randomUUID())
    .sign(signing.key);
}
