/**
 * Registry access of the backup workflow (SPEC §1.4 "Source credentials", "Private sources"): the
 * clients a copy reads the source and writes the backup registry with, and the `RegistryProbe` the
 * workload controller asks before a rewrite.
 * - Every client comes from one CredentialPool: one client per (host, login), shared by every copy
 *   and probe, with its connections and token cache; a Secret whose data changed retires the clients
 *   of its old credentials (credential-pool.ts), so rotation needs nothing here.
 * - Secrets are read at each use, from an informer cache where one covers them, else from the API
 *   (secret-reader.ts); their data never leaves memory and no log line, error or status names more
 *   than a Secret's `namespace/name`.
 * - Source logins for a copy, best first: the pull Secrets of the workloads that run the image
 *   (source-refs.ts; one tier, matched as the kubelet matches a pod's pull Secrets), then
 *   `--source-credentials`, then anonymous. A missing or unusable Secret is skipped and logged by
 *   name (once per problem). lifeboat's own pull-secret copies are never a source login.
 * - Push login: `--backup-push-secret` for the backup registry; anonymous without it.
 * - With a prom-client registry, every client records `lifeboat_registry_requests_total` and
 *   `lifeboat_registry_request_duration_seconds`, labelled with its registry when that is the backup
 *   registry or a `--source-registries` entry, else "other" (tenants choose the hosts in their
 *   images; the label set stays bounded). Token realms and redirects count as the client's registry.
 */
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { perRegistry } from '../../common/metric-families.ts';
import type { KubeRequester } from '../../kube/index.ts';
import { parseNormalizedNamed, type BackupMapping } from '../../reference/index.ts';
import {
  CredentialPool,
  NotFoundError,
  registryHostLabel,
  registryRequestMetrics,
  UnauthorizedError,
  type DockerConfigSecret,
  type ImageRepository,
  type PooledCredentials,
  type RegistryClient,
  type RegistryClientFactory,
} from '../../registry/index.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';
import { createSecretReader, isSecretProblem, type SecretCache, type SecretRef } from './secret-reader.ts';

export type { SecretCache, SecretRef } from './secret-reader.ts';
export { informerSecretCache } from './secret-reader.ts';

export interface RegistryAccessOptions {
  readonly api: KubeRequester;
  /** The process's client factory (TLS, `--insecure-registries`, `--registry-ca`). */
  readonly createClient: RegistryClientFactory;
  readonly mapping: BackupMapping;
  /** `--backup-push-secret`: push credentials for the backup registry; anonymous when absent. */
  readonly pushSecret?: SecretRef | undefined;
  /** `--source-credentials`: tried for every source after its own pull Secrets. */
  readonly sourceCredentials?: SecretRef | undefined;
  /** Informer caches Secrets are read from when they cover them; the API otherwise. */
  readonly secretCaches?: readonly SecretCache[] | undefined;
  readonly logger?: Logger | undefined;
  /** Registry for the registry request metrics; missing: not recorded. */
  readonly registry?: Registry | undefined;
  /** `--source-registries`: besides the backup registry, the only hosts the metrics name. */
  readonly sourceRegistries?: readonly string[] | undefined;
  /**
   * `--pull-secret-name`: a Secret of this name is never a source login, whoever made it. The name is
   * lifeboat's in every namespace; a tenant's Secret of that name is a conflict (PullSecretConflict),
   * not a credential to read sources with (issue 16). Default `lifeboat-pull`.
   */
  readonly pullSecretName?: string | undefined;
}

export interface RegistryAccess extends RegistryProbe {
  /** The backup registry host, as in image references (`mapping.backupRegistry`). */
  readonly backupRegistry: string;
  /**
   * Runs `fn` with the client of `repository`'s registry logged in with the push Secret (the entry
   * that matches host and path), or anonymous. The client stays open until `fn` settles.
   */
  withPushClient<T>(repository: ImageRepository, fn: (client: RegistryClient) => Promise<T>): Promise<T>;
  /**
   * The logins to try for reading `source` in a copy, best first, anonymous last: `pullSecretRefs`
   * (those of the workloads that run it), then `--source-credentials`. Each choice prints as its
   * Secret's name only.
   */
  sourceChoices(
    source: ImageRepository,
    pullSecretRefs: readonly SecretRef[],
  ): Promise<readonly PooledCredentials[]>;
  /** Closes every client; in-flight requests finish first. */
  close(): Promise<void>;
}

/** One hook per prom-client Registry: several accesses (tests) must not register the families twice. */
const requestMetrics = perRegistry(registryRequestMetrics);

export function createRegistryAccess(o: RegistryAccessOptions): RegistryAccess {
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ component: 'registry-access' });
  const record = o.registry === undefined ? undefined : requestMetrics(o.registry);
  const hostLabel = registryHostLabel([o.mapping.backupRegistry, ...(o.sourceRegistries ?? [])]);
  const pool = new CredentialPool({
    createClient: (host, credentials) => {
      if (record === undefined) return o.createClient(host, credentials);
      const label = hostLabel(host);
      return o.createClient(host, credentials, { onRequest: (r) => record({ ...r, host: label }) });
    },
  });
  const readSecret = createSecretReader(o.api, o.secretCaches);
  /** Secret name → the problem last logged for it, so each problem is logged once, not per copy. */
  const reported = new Map<string, string>();

  /**
   * The usable Secrets among `refs`, in order; the others are logged by name and left out. For a
   * `source`, lifeboat's own pull-secret copies are left out without a word: every namespace's
   * service account names one.
   */
  async function readTier(refs: readonly SecretRef[], source = false): Promise<DockerConfigSecret[]> {
    const read = await Promise.all(refs.map((ref) => readSecret(ref, { source })));
    return read.flatMap((r) => {
      if (isSecretProblem(r)) {
        if (r.managed === true) return [];
        if (reported.get(r.secret) !== r.message) logger.warn({ secret: r.secret }, `${r.message}: skipped`);
        reported.set(r.secret, r.message);
        return [];
      }
      if (reported.delete(r.name)) logger.info({ secret: r.name }, `Secret ${r.name} is usable again`);
      return [r];
    });
  }

  function resolve(repository: ImageRepository, tiers: DockerConfigSecret[][]): readonly PooledCredentials[] {
    const { choices, errors } = pool.resolve({ domain: repository.domain, path: repository.path }, tiers);
    for (const error of errors) {
      // The parser's message names the Secret and the problem, never the data.
      if (reported.get(error.message) === undefined) logger.warn(`${error.message}: skipped`);
      reported.set(error.message, error.message);
    }
    return choices;
  }

  const copyName = o.pullSecretName ?? 'lifeboat-pull';
  /** A workload's refs without the pull-secret name: never a source login. */
  const tenantRefs = (refs: readonly SecretRef[]): SecretRef[] => refs.filter((r) => r.name !== copyName);

  async function withPushClient<T>(
    repository: ImageRepository,
    fn: (client: RegistryClient) => Promise<T>,
  ): Promise<T> {
    const tier = o.pushSecret === undefined ? [] : await readTier([o.pushSecret]);
    // Never empty: anonymous is always the last choice.
    const [login] = resolve(repository, [tier]);
    return login!.use(fn);
  }

  return {
    backupRegistry: o.mapping.backupRegistry,
    withPushClient,
    async sourceChoices(source, pullSecretRefs) {
      const tiers = [await readTier(tenantRefs(pullSecretRefs), true)];
      if (o.sourceCredentials !== undefined) tiers.push(await readTier([o.sourceCredentials], true));
      return resolve(source, tiers);
    },
    async backupManifestPresent(repository, digest, signal) {
      const ref = parseNormalizedNamed(repository);
      const head = await withPushClient(ref, (client) =>
        client.headManifest(ref.path, digest, signal === undefined ? {} : { signal }),
      );
      return head !== undefined;
    },
    async sourceReadable(source, pullSecretRefs, signal) {
      const ref = parseNormalizedNamed(source);
      const reference = ref.digest ?? ref.tag ?? 'latest';
      for (const login of resolve(ref, [await readTier(tenantRefs(pullSecretRefs), true)])) {
        try {
          const head = await login.use((client) =>
            client.headManifest(ref.path, reference, signal === undefined ? {} : { signal }),
          );
          // A 404 is what many registries answer a login that may not see the repository.
          if (head !== undefined) return true;
        } catch (error) {
          if (!(error instanceof UnauthorizedError || error instanceof NotFoundError)) throw error;
        }
      }
      return false;
    },
    close: () => pool.close(),
  };
}
