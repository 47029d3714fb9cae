// The Pod admission webhook of `--rewrite-mode=pods`, as every replica runs it (leader or not):
// certificate Secret → HTTPS server → MutatingWebhookConfiguration, then keeping all three current.
//
// 1. The certificate: lifeboat's own (ensureTlsSecret, create-if-absent, renewed at 2/3 of its
//    lifetime by whichever replica sees it due first), or with --webhook-cert-managed-externally
//    the Secret as cert-manager keeps it (read only).
// 2. The server answers from the ImageBackup and Namespace informers' caches (admit.ts); ready once
//    both synced.
// 3. Every replica watches the Secret: a new certificate is served at once (setSecureContext), and
//    the configuration's caBundle follows the Secret's ca.crt. A renewal keeps the CA, so an old and
//    a new serving certificate are both trusted while the replicas pick the new one up.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RESOURCES, type KubeObject, type KubeRequester, type SharedInformers } from '../../kube/index.ts';
import type { NamespaceObject, SecretObject } from '../api/core-objects.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IMAGE_BACKUPS } from '../api/image-backup-resource.ts';
import { podAdmitter } from './admit.ts';
import type { CertificateLifetimes } from './certificates.ts';
import type { PodAdmissionOptions } from './decide.ts';
import { admissionMetrics } from './metrics.ts';
import { startAdmissionServer, type AdmissionServer } from './server.ts';
import { certificatesOf, ensureTlsSecret, readTlsSecret, type ServingCertificates } from './tls-secret.ts';
import {
  endpointHosts,
  installWebhookConfiguration,
  webhookConfiguration,
  type WebhookEndpoint,
} from './webhook-configuration.ts';

/** How often the certificate's age and the configuration are checked, at most. */
const DEFAULT_CHECK_INTERVAL_MS = 10 * 60_000;

export interface PodWebhookOptions {
  readonly api: KubeRequester;
  readonly informers: Pick<SharedInformers, 'informerFor'>;
  readonly logger: Logger;
  readonly registry: Registry;
  /** lifeboat's namespace: the certificate Secret lives here. */
  readonly namespace: string;
  /** `--webhook-addr`. */
  readonly address: string;
  readonly endpoint: WebhookEndpoint;
  readonly secretName: string;
  readonly certManagedExternally: boolean;
  readonly lifetimes: CertificateLifetimes;
  readonly admission: PodAdmissionOptions;
  readonly now?: () => Date;
  /** Default: a tenth of the serving lifetime, at most 10 minutes. */
  readonly checkIntervalMs?: number;
}

export interface PodWebhook {
  readonly address: string;
  /** True once the ImageBackup and Namespace caches have synced: before, answers would be "unchanged". */
  ready(): boolean;
  stop(): Promise<void>;
}

/** Throws what the certificate Secret, the server or the configuration's installation threw. */
export async function startPodWebhook(o: PodWebhookOptions): Promise<PodWebhook> {
  const logger = o.logger.child({ component: 'pod-admission' });
  const now = o.now ?? (() => new Date());
  const backups = o.informers.informerFor<ImageBackup & KubeObject>(IMAGE_BACKUPS);
  const namespaces = o.informers.informerFor<NamespaceObject>(RESOURCES.namespaces);
  const secretInformer = o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
    namespace: o.namespace,
    fieldSelector: `metadata.name=${o.secretName}`,
  });
  const hosts = endpointHosts(o.endpoint);
  const secretOptions = { namespace: o.namespace, name: o.secretName, hosts, lifetimes: o.lifetimes, now };
  const refresh = (): Promise<ServingCertificates> =>
    o.certManagedExternally ? readTlsSecret(o.api, secretOptions) : ensureTlsSecret(o.api, secretOptions);

  let serving = await refresh();
  const server: AdmissionServer = await startAdmissionServer({
    address: o.address,
    certificate: serving,
    admit: podAdmitter(
      { get: (name) => backups.get(name) },
      { get: (name) => namespaces.get(name) },
      o.admission,
    ),
    metrics: admissionMetrics(o.registry),
    logger: o.logger,
  });
  let installedCa: string | undefined;
  const install = async (caCert: string): Promise<void> => {
    if (installedCa === caCert) return;
    const config = webhookConfiguration({
      endpoint: o.endpoint,
      caBundle: caCert,
      excludedNamespaces: o.admission.excludedNamespaces,
      namespaceSelector: o.admission.namespaceSelector,
    });
    if (await installWebhookConfiguration(o.api, config))
      logger.info({ name: config.metadata.name }, 'MutatingWebhookConfiguration installed or updated');
    installedCa = caCert;
  };
  try {
    await install(serving.caCert);
  } catch (err) {
    await server.close();
    throw err;
  }

  const use = (certs: ServingCertificates | undefined, why: string): void => {
    if (certs === undefined) return;
    if (certs.cert !== serving.cert || certs.key !== serving.key) {
      server.setCertificate(certs);
      logger.info({ why }, 'serving a new webhook certificate');
    }
    serving = certs;
    install(certs.caCert).catch((err: unknown) => {
      logger.warn({ err }, 'cannot update the MutatingWebhookConfiguration; retrying at the next check');
    });
  };
  const removeHandlers = secretInformer.addHandlers({
    onAdd: (secret) => use(certificatesOf(secret), 'secret added'),
    onUpdate: (_old, secret) => use(certificatesOf(secret), 'secret updated'),
  });

  // The periodic check: renew when due (any replica may; the Secret's resourceVersion settles races)
  // and put back a configuration someone edited or deleted.
  const intervalMs = o.checkIntervalMs ?? Math.min(DEFAULT_CHECK_INTERVAL_MS, o.lifetimes.servingMs / 10);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      use(await refresh(), 'periodic check');
      installedCa = undefined;
      await install(serving.caCert);
    } catch (err) {
      logger.warn({ err }, 'webhook certificate or configuration check failed; retrying at the next check');
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);

  return {
    address: server.address,
    ready: () => backups.hasSynced() && namespaces.hasSynced(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      removeHandlers();
      await server.close();
    },
  };
}
