/**
 * The Secrets registry access reads from an informer cache instead of a GET per copy (wiring for
 * secret-reader.ts): the push and source credentials, each watched by namespace and name, and the
 * `--pull-secret-name` copies (the same informer as the pull-secret controller's), which are never
 * a source login and so cost no GET to refuse. The source pull Secrets of workloads have no cache:
 * lifeboat keeps no watch on every Secret of the cluster.
 */
import { RESOURCES, type SharedInformers } from '../../kube/index.ts';
import type { SecretObject } from '../api/core-objects.ts';
import { informerSecretCache, type SecretCache, type SecretRef } from './secret-reader.ts';

export interface SecretCacheOptions {
  readonly pushSecret?: SecretRef | undefined;
  readonly sourceCredentials?: SecretRef | undefined;
  /** `--pull-secret-name` when the pull-secret controller runs (and watches its copies). */
  readonly pullSecretName?: string | undefined;
}

export function accessSecretCaches(
  informers: Pick<SharedInformers, 'informerFor'>,
  o: SecretCacheOptions,
): SecretCache[] {
  const byName = (ref: SecretRef): SecretCache =>
    informerSecretCache(
      informers.informerFor<SecretObject>(RESOURCES.secrets, {
        namespace: ref.namespace,
        fieldSelector: `metadata.name=${ref.name}`,
      }),
      ref,
    );
  const caches = [o.pushSecret, o.sourceCredentials].flatMap((ref) => (ref ? [byName(ref)] : []));
  if (o.pullSecretName !== undefined) {
    const copies = informers.informerFor<SecretObject>(RESOURCES.secrets, {
      fieldSelector: `metadata.name=${o.pullSecretName}`,
    });
    caches.push(informerSecretCache(copies, { name: o.pullSecretName }));
  }
  return caches;
}
