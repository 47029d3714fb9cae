/**
 * The shapes of the core objects pull-secret distribution reads, as the API server serves them
 * (plain JSON, only the fields used here). Cached objects are shared: never mutate them.
 */
import type { KubeObject } from '../../kube/index.ts';

export interface ObjectMeta extends Omit<KubeObject['metadata'], 'deletionTimestamp'> {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface NamespaceObject extends KubeObject {
  metadata: ObjectMeta;
  status?: { phase?: string };
}

export interface SecretObject extends KubeObject {
  metadata: ObjectMeta;
  type?: string;
  /** base64 values. */
  data?: Record<string, string>;
}

export interface ServiceAccountObject extends KubeObject {
  metadata: ObjectMeta;
  imagePullSecrets?: { name?: string }[];
}

export const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
