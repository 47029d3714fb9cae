/**
 * Reads the `kubernetes.io/dockerconfigjson` Secrets a copy may log in with (pull Secrets named by an
 * ImageBackup, `--source-credentials`, `--backup-push-secret`) straight from the API, at each use:
 * a rotated Secret is used from the next copy on, with no watch on every Secret of the cluster.
 * - Decoded data is cached by the Secret's resourceVersion, so an unchanged Secret is decoded once.
 * - The data stays in memory: it is handed to the credential pool and nowhere else. A problem names
 *   the Secret and what is wrong with it, never its content.
 * - A missing or unusable Secret is an answer (`SecretProblem`), not an error: the caller skips it.
 *   Any other API failure (5xx, RBAC) is thrown, so the copy fails and is retried.
 */
import { isNotFound, RESOURCES, resourceClient, type KubeRequester } from '../../kube/index.ts';
import type { DockerConfigSecret } from '../../registry/index.ts';
import { DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, type SecretObject } from '../api/core-objects.ts';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** Why a Secret was left out; `message` names it and is safe to log. */
export interface SecretProblem {
  readonly secret: string;
  readonly message: string;
}

export type SecretReader = (ref: SecretRef) => Promise<DockerConfigSecret | SecretProblem>;

export function isSecretProblem(value: DockerConfigSecret | SecretProblem): value is SecretProblem {
  return 'message' in value;
}

export function createSecretReader(api: KubeRequester): SecretReader {
  const secrets = resourceClient<SecretObject>(api, RESOURCES.secrets);
  /** `namespace/name` → the last decoded content and the resourceVersion it was decoded from. */
  const cache = new Map<string, { readonly resourceVersion: string; readonly secret: DockerConfigSecret }>();
  return async (ref) => {
    const name = `${ref.namespace}/${ref.name}`;
    const problem = (detail: string): SecretProblem => {
      cache.delete(name);
      return { secret: name, message: `Secret ${name} ${detail}` };
    };
    let obj: SecretObject;
    try {
      obj = await secrets.get(ref.name, { namespace: ref.namespace });
    } catch (error) {
      if (isNotFound(error)) return problem('not found');
      throw error;
    }
    const resourceVersion = obj.metadata.resourceVersion ?? '';
    const cached = cache.get(name);
    if (cached !== undefined && resourceVersion !== '' && cached.resourceVersion === resourceVersion) {
      return cached.secret;
    }
    if (obj.type !== DOCKER_CONFIG_JSON_TYPE) {
      return problem(`is of type ${JSON.stringify(obj.type ?? 'Opaque')}, not ${DOCKER_CONFIG_JSON_TYPE}`);
    }
    const encoded = obj.data?.[DOCKER_CONFIG_JSON_KEY];
    if (encoded === undefined || encoded === '') return problem(`has no ${DOCKER_CONFIG_JSON_KEY} key`);
    const secret: DockerConfigSecret = { name, data: Buffer.from(encoded, 'base64') };
    cache.set(name, { resourceVersion, secret });
    return secret;
  };
}
