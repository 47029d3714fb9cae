import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import forge from 'node-forge';
import { pino } from 'pino';
import { namespacePassword } from '../api/namespace-credential.ts';
import { answerTokenRequest, type TokenServiceState } from './answer.ts';
import { signingKeyOf } from './sign.ts';

/** A self-signed RSA certificate (forge signs; the key is node:crypto's), as a kubernetes.io/tls Secret. */
function signingSecret() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: 'commonName', value: 'token-signer' }]);
  cert.setIssuer([{ name: 'commonName', value: 'token-signer' }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return {
    certPem,
    secret: {
      metadata: { name: 'signer', namespace: 'lifeboat-system' },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(certPem).toString('base64'),
        'tls.key': Buffer.from(keyPem).toString('base64'),
      },
    },
  };
}

const KEY = Buffer.alloc(32, 9);
const CONFIG = { issuer: 'lifeboat-issuer', service: 'backup-registry' };
const NOW = Math.floor(Date.now() / 1000);
const logger = pino({ level: 'silent' });
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('answerTokenRequest', () => {
  const signer = signingSecret();
  const signing = signingKeyOf(signer.secret, 'signer');
  const state: TokenServiceState = {
    synced: true,
    identities: { pullKey: KEY, pusher: { username: 'lifeboat', password: 'push' } },
    signing,
    backupsIn: (r) => (r === 'lifeboat/private' ? [{ private: true, readers: ['team-a'] }] : []),
  };
  const ask = (authorization: string | undefined, scope = 'repository:lifeboat/private:pull', s = state) =>
    answerTokenRequest(
      { method: 'GET', url: `/token?service=backup-registry&scope=${scope}`, authorization },
      s,
      CONFIG,
      { now: NOW, logger },
    );

  it('signs a token distribution accepts: RS256, x5c of the chain, iss/aud/sub/exp/nbf/iat/jti, access', async () => {
    const reply = await ask(basic('lifeboat-ns-team-a', namespacePassword(KEY, 'team-a')));
    assert.equal(reply.status, 200);
    const body = reply.body as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.equal(body.access_token, body.token);
    assert.equal(body.expires_in, 300);
    assert.equal(body.issued_at, new Date(NOW * 1000).toISOString());
    const header = decodeProtectedHeader(body.token);
    assert.equal(header.alg, 'RS256');
    assert.deepEqual(header.x5c, [new X509Certificate(signer.certPem).raw.toString('base64')]);
    const { payload } = await jwtVerify(body.token, new X509Certificate(signer.certPem).publicKey, {
      issuer: 'lifeboat-issuer',
      audience: 'backup-registry',
    });
    assert.equal(payload.sub, 'lifeboat-ns-team-a');
    assert.equal(payload.exp, NOW + 300);
    assert.equal(payload.nbf, NOW);
    assert.equal(payload.iat, NOW);
    assert.equal(typeof payload.jti, 'string');
    assert.deepEqual(payload.access, [{ type: 'repository', name: 'lifeboat/private', actions: ['pull'] }]);
  });

  it("gives B an empty grant on A's private repository, anonymous too", async () => {
    for (const authorization of [basic('lifeboat-ns-team-b', namespacePassword(KEY, 'team-b')), undefined]) {
      const reply = await ask(authorization);
      assert.equal(reply.status, 200);
      const { payload } = await jwtVerify(
        (reply.body as { token: string }).token,
        new X509Certificate(signer.certPem).publicKey,
      );
      assert.deepEqual(payload.access, []);
    }
  });

  it("refuses (401) B presenting A's user with B's password, and never echoes the password", async () => {
    const password = namespacePassword(KEY, 'team-b');
    const reply = await ask(basic('lifeboat-ns-team-a', password));
    assert.equal(reply.status, 401);
    assert.doesNotMatch(JSON.stringify(reply), new RegExp(password));
  });

  it('answers 400 for another service or a bad request, 503 before sync or without a signing key', async () => {
    const other = await answerTokenRequest(
      { method: 'GET', url: '/token?service=elsewhere&scope=repository:a:pull' },
      state,
      CONFIG,
      { now: NOW, logger },
    );
    assert.equal(other.status, 400);
    assert.equal((await ask(undefined, 'repository:Bad:pull')).status, 400);
    assert.equal((await ask(undefined, undefined, { ...state, synced: false })).status, 503);
    assert.equal((await ask(undefined, undefined, { ...state, signing: { problem: 'none' } })).status, 503);
  });

  it('refuses a signing Secret whose key is not its certificate’s', () => {
    const a = signingSecret();
    const b = signingSecret();
    const mixed = {
      ...a.secret,
      data: { 'tls.crt': a.secret.data['tls.crt'], 'tls.key': b.secret.data['tls.key'] },
    };
    const got = signingKeyOf(mixed, 'signer');
    assert.ok('problem' in got);
    assert.match(got.problem, /not the key of the first certificate/);
  });
});
