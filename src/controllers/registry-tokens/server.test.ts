// The token endpoint's listener on loopback, with self-signed certificates (forge signs; keys from
// node:crypto): requests reach `answer` as received, oversized bodies are refused unread, and a new
// certificate is served without reopening the listener.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import forge from 'node-forge';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import type { RawTokenRequest } from './request.ts';
import { listenTokenServer, TokenServerListenError, type TlsPair } from './server.ts';

function selfSigned(cn: string): TlsPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key };
}

describe('token endpoint listener', () => {
  const first = selfSigned('first');
  const second = selfSigned('second');
  const seen: RawTokenRequest[] = [];
  const agents: Agent[] = [];
  const trusting = (pair: TlsPair) => {
    const agent = new Agent({ connect: { ca: pair.cert } });
    agents.push(agent);
    return agent;
  };
  let close: (() => Promise<void>) | undefined;
  after(async () => {
    await close?.();
    await Promise.all(agents.map((a) => a.close()));
  });

  it('hands requests to answer as received, refuses big bodies, swaps its certificate in place', async () => {
    const listener = await listenTokenServer({
      address: '127.0.0.1:0',
      tls: first,
      logger: pino({ level: 'silent' }),
      answer: (raw) => {
        seen.push(raw);
        return Promise.resolve({ status: 200, body: { token: 't' } });
      },
    });
    close = () => listener.close();
    const url = `https://${listener.address}/token?service=s&scope=repository:a:pull`;

    const got = await request(url, { headers: { authorization: 'Basic eDp5' }, dispatcher: trusting(first) });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(await got.body.json(), { token: 't' });
    assert.equal(got.headers['cache-control'], 'no-store');
    assert.deepEqual(seen[0], {
      method: 'GET',
      url: '/token?service=s&scope=repository:a:pull',
      authorization: 'Basic eDp5',
    });

    const posted = await request(url, {
      method: 'POST',
      body: 'grant_type=password',
      dispatcher: trusting(first),
    });
    await posted.body.dump();
    assert.equal(seen[1]?.body, 'grant_type=password');
    const big = await request(url, { method: 'POST', body: 'x'.repeat(9000), dispatcher: trusting(first) });
    await big.body.dump();
    assert.equal(big.statusCode, 413);
    assert.equal(seen.length, 2, 'an oversized body never reaches answer');

    await assert.rejects(
      request(url, { dispatcher: trusting(second) }),
      'the second certificate is not served yet',
    );
    listener.setTls(second);
    const swapped = await request(url, { dispatcher: trusting(second) });
    await swapped.body.dump();
    assert.equal(swapped.statusCode, 200, 'a new connection gets the new certificate');
  });

  it('refuses an address that is not HOST:PORT with a typed error', async () => {
    await assert.rejects(
      listenTokenServer({
        address: 'nonsense',
        tls: first,
        logger: pino({ level: 'silent' }),
        answer: () => Promise.reject(new Error('unused')),
      }),
      (err: unknown) => err instanceof TokenServerListenError && err.code === 'TOKEN_SERVER_LISTEN',
    );
  });
});
