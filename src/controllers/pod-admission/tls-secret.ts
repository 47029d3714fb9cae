// The Secret that holds the webhook's CA and serving certificate, in lifeboat's namespace. Every
// replica may call `ensureTlsSecret` at once: creation is create-if-absent (AlreadyExists → read what
// the winner wrote) and renewal is a replace guarded by resourceVersion (Conflict → read again), so
// replicas never overwrite each other's certificate and all end up serving the same one.
import {
  isAlreadyExists,
  isConflict,
  resourceClient,
  RESOURCES,
  type KubeRequester,
} from '../../kube/index.ts';
import { LifeboatError } from '../../common/errors.ts';
import type { SecretObject } from '../api/core-objects.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../api/labels.ts';
import {
  caRenewalDue,
  issueCertificates,
  issueServingCertificate,
  renewalDue,
  type CertificateLifetimes,
  type WebhookCertificates,
} from './certificates.ts';

/** The keys cert-manager writes (tls.crt, tls.key, ca.crt), plus the CA's key when lifeboat signs. */
const KEYS = { cert: 'tls.crt', key: 'tls.key', caCert: 'ca.crt', caKey: 'ca.key' } as const;

/** Rounds of read → write before giving up on a race that never settles (every loop is bounded). */
const MAX_ROUNDS = 5;

export class WebhookCertificateError extends LifeboatError {
  readonly code = 'WEBHOOK_CERTIFICATE';
  readonly temporary: boolean;
  constructor(message: string, temporary: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WebhookCertificateError';
    this.temporary = temporary;
  }
}

/** What a serving replica needs: the certificate and key it serves, the CA the API server trusts. */
export type ServingCertificates = Omit<WebhookCertificates, 'caKey'> & {
  readonly caKey?: string | undefined;
};

/** The certificates of a Secret; undefined when tls.crt, tls.key or ca.crt is missing. */
export function certificatesOf(secret: SecretObject | undefined): ServingCertificates | undefined {
  const text = (key: string): string | undefined => {
    const value = secret?.data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const [cert, key, caCert, caKey] = [text(KEYS.cert), text(KEYS.key), text(KEYS.caCert), text(KEYS.caKey)];
  if (cert === undefined || key === undefined || caCert === undefined) return undefined;
  return { cert, key, caCert, ...(caKey === undefined ? {} : { caKey }) };
}

function secretData(certs: WebhookCertificates): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    [KEYS.cert]: b64(certs.cert),
    [KEYS.key]: b64(certs.key),
    [KEYS.caCert]: b64(certs.caCert),
    [KEYS.caKey]: b64(certs.caKey),
  };
}

export interface TlsSecretOptions {
  readonly namespace: string;
  readonly name: string;
  /** What the serving certificate must cover. */
  readonly hosts: readonly string[];
  readonly lifetimes: CertificateLifetimes;
  readonly now: () => Date;
}

/**
 * The Secret's certificates, created or renewed first when needed: absent → a new CA and serving
 * certificate; the serving certificate due (renewalDue) → a new one from the same CA (so caBundle
 * stays valid through the rotation); the CA itself due or unreadable → both anew.
 * Throws WebhookCertificateError (temporary) when the race with other replicas does not settle, and
 * the API's errors as they come.
 */
export async function ensureTlsSecret(api: KubeRequester, o: TlsSecretOptions): Promise<WebhookCertificates> {
  const secrets = resourceClient<SecretObject>(api, RESOURCES.secrets);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = await secrets.find(o.name, { namespace: o.namespace });
    const now = o.now();
    if (current === undefined) {
      const certs = issueCertificates(o.hosts, now, o.lifetimes);
      try {
        await secrets.create(
          {
            metadata: {
              name: o.name,
              namespace: o.namespace,
              labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
            },
            type: 'kubernetes.io/tls',
            data: secretData(certs),
          },
          { namespace: o.namespace },
        );
        return certs;
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        throw err;
      }
    }
    const found = certificatesOf(current);
    let next: WebhookCertificates;
    if (found?.caKey === undefined || caRenewalDue({ ...found, caKey: found.caKey }, now)) {
      next = issueCertificates(o.hosts, now, o.lifetimes);
    } else if (renewalDue({ ...found, caKey: found.caKey }, o.hosts, now)) {
      next = {
        ...found,
        caKey: found.caKey,
        ...issueServingCertificate({ ...found, caKey: found.caKey }, o.hosts, now, o.lifetimes.servingMs),
      };
    } else {
      return { ...found, caKey: found.caKey };
    }
    try {
      await secrets.replace(
        {
          ...current,
          type: current.type ?? 'kubernetes.io/tls',
          data: { ...current.data, ...secretData(next) },
        },
        { namespace: o.namespace },
      );
      return next;
    } catch (err) {
      if (isConflict(err)) continue;
      throw err;
    }
  }
  throw new WebhookCertificateError(
    `the webhook certificate Secret ${o.namespace}/${o.name} kept changing under us; retrying later`,
    true,
  );
}

/** For `--webhook-cert-managed-externally`: the Secret as cert-manager (or the operator) keeps it. */
export async function readTlsSecret(
  api: KubeRequester,
  o: Pick<TlsSecretOptions, 'namespace' | 'name'>,
): Promise<ServingCertificates> {
  const secret = await resourceClient<SecretObject>(api, RESOURCES.secrets).find(o.name, {
    namespace: o.namespace,
  });
  const certs = certificatesOf(secret);
  if (certs === undefined)
    throw new WebhookCertificateError(
      `the webhook certificate Secret ${o.namespace}/${o.name} is missing or lacks tls.crt, tls.key and ca.crt (is cert-manager's Certificate issued?)`,
      true,
    );
  return certs;
}
