// Identities for secret material that can be compared and used as map keys without holding the
// secret in the key: an HMAC under a key drawn once per process. A fingerprint that reached a log
// could not be checked against guessed passwords without that key, which never leaves this module.
import { createHmac, randomBytes } from 'node:crypto';
import type { Credentials } from './credentials.ts';

const PROCESS_KEY = randomBytes(32);

/** 128 bits: collisions are out of reach for the few thousand values a process sees. */
const FINGERPRINT_HEX_CHARS = 32;

export function fingerprint(data: string | Uint8Array): string {
  return createHmac('sha256', PROCESS_KEY).update(data).digest('hex').slice(0, FINGERPRINT_HEX_CHARS);
}

/** Equal for equal credentials, whatever document or key they came from. */
export function credentialsFingerprint(credentials: Credentials): string {
  switch (credentials.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'basic':
      return fingerprint(JSON.stringify(['basic', credentials.username, credentials.password]));
    case 'identityToken':
      return fingerprint(JSON.stringify(['identityToken', credentials.username ?? '', credentials.token]));
  }
}
