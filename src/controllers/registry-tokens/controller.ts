/**
 * lifeboat as the backup registry's token service (`--private-images=isolated`, issue 16): the
 * Docker Registry v2 token protocol on `--token-addr`, over HTTPS.
 *
 * The loop is a read-only one: informers (ImageBackups indexed by the repository of their target,
 * the key Secret the namespace passwords derive from, the backup push Secret that is lifeboat's own
 * identity, the endpoint's TLS Secret, the signing Secret) → each request answered from the caches
 * (answer.ts: parse → authenticate → grant → sign). Nothing is written, so it runs on EVERY replica,
 * not only the leader: tokens keep being issued through a leader change. Until the caches have
 * listed, requests are answered 503; the listener opens once the TLS Secret is usable, and a changed
 * TLS Secret is swapped in without a restart.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import { RESOURCES, waitForSync, type KubeObject, type SharedInformers } from '../../kube/index.ts';
import { parseDockerConfigJson } from '../../registry/index.ts';
import { DOCKER_CONFIG_JSON_KEY, type SecretObject } from '../api/core-objects.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IMAGE_BACKUPS } from '../api/image-backup-resource.ts';
import { PULL_KEY_SECRET_NAME, pullKeyOf } from '../api/namespace-credential.ts';
import { answerTokenRequest, type TokenServiceConfig, type TokenServiceState } from './answer.ts';
import { repositoryOfTarget, type BackupAccess, type Identities } from './decide.ts';
import { listenTokenServer, type TokenListener } from './server.ts';
import { signingKeyOf, tlsPairOf } from './sign.ts';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

export interface RegistryTokenServiceOptions extends TokenServiceConfig {
  readonly informers: Pick<SharedInformers, 'informerFor'>;
  readonly logger?: Logger;
  /** `--token-addr`. */
  readonly address: string;
  /** `--token-tls-secret`: kubernetes.io/tls of the endpoint. */
  readonly tlsSecret: SecretRef;
  /** `--token-signing-secret`: kubernetes.io/tls whose key signs and whose chain the registry trusts. */
  readonly signingSecret: SecretRef;
  /** lifeboat's namespace: where the key Secret `lifeboat-pull-key` is. */
  readonly namespace: string;
  /** The backup registry host (`--backup-registry`'s host): the repositories the tokens are for. */
  readonly backupHost: string;
  /** `--backup-push-secret`: lifeboat's own identity (none: nobody may push). */
  readonly pushSecret: SecretRef | undefined;
}

export interface RegistryTokenService {
  hasSynced(): boolean;
  /** `host:port` bound, once listening. */
  address(): string | undefined;
  /** Serves until `signal` aborts (on every replica). */
  run(signal: AbortSignal): Promise<void>;
}

const REPOSITORY_INDEX = 'lifeboat.dev/target-repository';

/** lifeboat's own credentials for the backup registry, from the push Secret (none when unusable). */
function pusherOf(secret: SecretObject | undefined, host: string): Identities['pusher'] {
  const encoded = secret?.data?.[DOCKER_CONFIG_JSON_KEY];
  if (!encoded) return undefined;
  try {
    const doc = parseDockerConfigJson('push secret', Buffer.from(encoded, 'base64'));
    const credentials = doc.matches(host, '')[0]?.credentials;
    return credentials?.kind === 'basic'
      ? { username: credentials.username, password: credentials.password }
      : undefined;
  } catch {
    return undefined;
  }
}

export function createRegistryTokenService(o: RegistryTokenServiceOptions): RegistryTokenService {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ controller: 'registry-tokens' });
  const secret = (ref: SecretRef) =>
    o.informers.informerFor<SecretObject>(RESOURCES.secrets, {
      namespace: ref.namespace,
      fieldSelector: `metadata.name=${ref.name}`,
    });
  const keyRef = { namespace: o.namespace, name: PULL_KEY_SECRET_NAME };
  const backups = o.informers.informerFor<ImageBackup & KubeObject>(IMAGE_BACKUPS);
  backups.addIndex(REPOSITORY_INDEX, (b) => {
    const repository = repositoryOfTarget(b.spec.target, o.backupHost);
    return repository === undefined ? [] : [repository];
  });
  const keys = secret(keyRef);
  const tls = secret(o.tlsSecret);
  const signing = secret(o.signingSecret);
  const push = o.pushSecret ? secret(o.pushSecret) : undefined;
  const informers = [backups, keys, tls, signing, ...(push ? [push] : [])];
  const get = (informer: typeof keys, ref: SecretRef) => informer.get(`${ref.namespace}/${ref.name}`);

  // Cached objects are replaced, never mutated, on change: parsing once per object version is enough.
  const signingWhat = `--token-signing-secret ${o.signingSecret.namespace}/${o.signingSecret.name}`;
  const signingKeys = new WeakMap<SecretObject, ReturnType<typeof signingKeyOf>>();
  const signingKey = (s: SecretObject | undefined): ReturnType<typeof signingKeyOf> => {
    if (!s) return signingKeyOf(s, signingWhat);
    let parsed = signingKeys.get(s);
    if (!parsed) signingKeys.set(s, (parsed = signingKeyOf(s, signingWhat)));
    return parsed;
  };
  let synced = false;
  const state = (): TokenServiceState => {
    const key = pullKeyOf(get(keys, keyRef));
    return {
      synced,
      identities: {
        pullKey: Buffer.isBuffer(key) ? key : undefined,
        pusher: push && o.pushSecret ? pusherOf(get(push, o.pushSecret), o.backupHost) : undefined,
      },
      signing: signingKey(get(signing, o.signingSecret)),
      backupsIn: (repository) =>
        backups.byIndex(REPOSITORY_INDEX, repository).map((b): BackupAccess => ({
          private: b.status?.private === true,
          readers: b.status?.readers ?? [],
        })),
    };
  };
  const tlsWhat = `--token-tls-secret ${o.tlsSecret.namespace}/${o.tlsSecret.name}`;
  let listener: TokenListener | undefined;

  return {
    hasSynced: () => informers.every((i) => i.hasSynced()),
    address: () => listener?.address,
    async run(signal) {
      if (!(await waitForSync(signal, ...informers))) return;
      synced = true;
      /** Opens the listener with the TLS Secret, or swaps the certificate of the open one. */
      let reported: string | undefined;
      let opening: Promise<void> | undefined;
      const tlsChanged = (): void => {
        const pair = tlsPairOf(get(tls, o.tlsSecret), tlsWhat);
        if ('problem' in pair) {
          if (reported !== pair.problem) logger.error(pair.problem);
          reported = pair.problem;
          return;
        }
        reported = undefined;
        if (listener) {
          try {
            listener.setTls(pair);
            logger.info('token endpoint certificate replaced');
          } catch (err) {
            logger.error({ err: String(err) }, `${tlsWhat}: the certificate cannot be used`);
          }
          return;
        }
        opening ??= listenTokenServer({
          address: o.address,
          tls: pair,
          logger,
          answer: (raw) =>
            answerTokenRequest(raw, state(), o, { now: Math.floor(Date.now() / 1000), logger }),
        }).then(
          (l) => {
            if (signal.aborted) return void l.close();
            listener = l;
            logger.info({ address: l.address }, 'token service listening');
          },
          (err: unknown) => {
            opening = undefined;
            logger.error({ err }, 'cannot open the token endpoint');
          },
        );
      };
      const remove = tls.addHandlers({
        onAdd: tlsChanged,
        onUpdate: (old, changed) => {
          if (old.metadata.resourceVersion !== changed.metadata.resourceVersion) tlsChanged();
        },
        onDelete: tlsChanged,
      });
      tlsChanged();
      const problem = signingKey(get(signing, o.signingSecret));
      if ('problem' in problem) logger.error(problem.problem);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      remove();
      await opening;
      await listener?.close();
      listener = undefined;
    },
  };
}
