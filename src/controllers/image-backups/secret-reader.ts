/**
 * Reads the `kubernetes.io/dockerconfigjson` Secrets a copy may log in with (the pull Secrets of the
 * workloads that run a backed-up image, `--source-credentials`, `--backup-push-secret`), at each use:
 * a rotated Secret is used from the next copy on.
 * - From an informer cache when one covers the Secret (the push and source credentials and the
 *   `--pull-secret-name` copies are watched by name), else one GET: there is no watch on every
 *   Secret of the cluster. A cache that has not listed yet is passed over for the API.
 * - Decoded data is cached by the Secret's resourceVersion, so an unchanged Secret is decoded once.
 * - The data stays in memory: it is handed to the credential pool and nowhere else. A problem names
 *   the Secret and what is wrong with it, never its content.
 * - A missing or unusable Secret is an answer (`SecretProblem`), not an error: the caller skips it.
 *   So is, for a source, a Secret lifeboat manages (label app.kubernetes.io/managed-by=lifeboat: the
 *   `--pull-secret-name` copies it distributes), flagged `managed`: it holds the backup registry's
 *   pull login and is never a source credential (issue 16, B9). Any other API failure (5xx, RBAC)
 *   is thrown, so the copy fails and is retried.
 */
import { isNotFound, RESOURCES, resourceClient, type KubeRequester } from '../../kube/index.ts';
import type { DockerConfigSecret } from '../../registry/index.ts';
import { DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, type SecretObject } from '../api/core-objects.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../api/labels.ts';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** Why a Secret was left out; `message` names it and is safe to log. */
export interface SecretProblem {
  readonly secret: string;
  readonly message: string;
  /** lifeboat's own Secret: left out on purpose, not worth a warning. */
  readonly managed?: true;
}

/** Reads `ref`; with `source`, for reading a source registry (lifeboat's own Secrets refused). */
export type SecretReader = (
  ref: SecretRef,
  o?: { readonly source?: boolean },
) => Promise<DockerConfigSecret | SecretProblem>;

/** An informer's cache of some Secrets, as the reader asks it. */
export interface SecretCache {
  /** Whether every Secret `ref` could name is in this cache's scope (its namespace and name). */
  covers(ref: SecretRef): boolean;
  /** Listed at least once; until then its "absent" means nothing and the API is asked. */
  hasSynced(): boolean;
  get(ref: SecretRef): SecretObject | undefined;
}

/** A SecretCache of an informer watching `scope` (a namespace, a `metadata.name` field selector, or both). */
export function informerSecretCache(
  informer: { get(key: string): SecretObject | undefined; hasSynced(): boolean },
  scope: { readonly namespace?: string | undefined; readonly name?: string | undefined },
): SecretCache {
  return {
    covers: (ref) =>
      (scope.namespace === undefined || scope.namespace === ref.namespace) &&
      (scope.name === undefined || scope.name === ref.name),
    hasSynced: () => informer.hasSynced(),
    get: (ref) => informer.get(`${ref.namespace}/${ref.name}`),
  };
}

export function isSecretProblem(value: DockerConfigSecret | SecretProblem): value is SecretProblem {
  return 'message' in value;
}

export function createSecretReader(api: KubeRequester, caches: readonly SecretCache[] = []): SecretReader {
  const secrets = resourceClient<SecretObject>(api, RESOURCES.secrets);
  /** `namespace/name` → the last decoded content and the resourceVersion it was decoded from. */
  const decoded = new Map<
    string,
    { readonly resourceVersion: string; readonly secret: DockerConfigSecret }
  >();

  /** The Secret from a cache that covers it, or from the API; undefined when it does not exist. */
  async function fetch(ref: SecretRef): Promise<SecretObject | undefined> {
    const cache = caches.find((c) => c.covers(ref) && c.hasSynced());
    if (cache !== undefined) return cache.get(ref);
    try {
      return await secrets.get(ref.name, { namespace: ref.namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return async (ref, o = {}) => {
    const name = `${ref.namespace}/${ref.name}`;
    const problem = (detail: string, managed = false): SecretProblem => {
      decoded.delete(name);
      return { secret: name, message: `Secret ${name} ${detail}`, ...(managed ? { managed } : {}) };
    };
    const obj = await fetch(ref);
    if (obj === undefined) return problem('not found');
    if (o.source === true && obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) {
      return problem('is managed by lifeboat (a pull-secret copy): never a source credential', true);
    }
    const resourceVersion = obj.metadata.resourceVersion ?? '';
    const known = decoded.get(name);
    if (known !== undefined && resourceVersion !== '' && known.resourceVersion === resourceVersion) {
      return known.secret;
    }
    if (obj.type !== DOCKER_CONFIG_JSON_TYPE) {
      return problem(`is of type ${JSON.stringify(obj.type ?? 'Opaque')}, not ${DOCKER_CONFIG_JSON_TYPE}`);
    }
    const encoded = obj.data?.[DOCKER_CONFIG_JSON_KEY];
    if (encoded === undefined || encoded === '') return problem(`has no ${DOCKER_CONFIG_JSON_KEY} key`);
    const secret: DockerConfigSecret = { name, data: Buffer.from(encoded, 'base64') };
    decoded.set(name, { resourceVersion, secret });
    return secret;
  };
}
