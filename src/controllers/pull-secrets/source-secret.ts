/**
 * Validation of the source pull secret (`--backup-pull-secret`). Only a usable Secret is ever
 * copied: a missing one, one of another type, or one whose `.dockerconfigjson` is not a docker
 * config document changes nothing anywhere (copies already distributed stay as they are) until
 * it is fixed. Errors name the Secret and what is wrong with it, never its data.
 */
import { LifeboatError } from '../../common/errors.ts';
import { InvalidDockerConfigError, parseDockerConfigJson } from '../../registry/index.ts';
import { DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, type SecretObject } from '../api/core-objects.ts';

export type SourceSecretProblem = 'missing' | 'wrong-type' | 'no-data' | 'invalid';

export class SourceSecretError extends LifeboatError {
  readonly code = 'PULL_SECRET_SOURCE_INVALID';
  /** Retrying does not help; the Secret's next change is watched and starts over. */
  readonly temporary = false;
  readonly secret: string;
  readonly problem: SourceSecretProblem;

  constructor(secret: string, problem: SourceSecretProblem, detail: string) {
    super(`source pull secret ${secret}: ${detail}`);
    this.name = 'SourceSecretError';
    this.secret = secret;
    this.problem = problem;
  }
}

/** What a copy must carry: the source's type and data, exactly. */
export interface PullSecretContent {
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
}

export function validateSourceSecret(
  secret: SecretObject | undefined,
  ref: { namespace: string; name: string },
): PullSecretContent | SourceSecretError {
  const key = `${ref.namespace}/${ref.name}`;
  if (!secret) return new SourceSecretError(key, 'missing', 'not found');
  if (secret.type !== DOCKER_CONFIG_JSON_TYPE) {
    return new SourceSecretError(
      key,
      'wrong-type',
      `type is ${JSON.stringify(secret.type ?? 'Opaque')}, expected ${DOCKER_CONFIG_JSON_TYPE}`,
    );
  }
  const encoded = secret.data?.[DOCKER_CONFIG_JSON_KEY];
  if (encoded === undefined || encoded === '') {
    return new SourceSecretError(key, 'no-data', `has no ${DOCKER_CONFIG_JSON_KEY} key`);
  }
  try {
    // The registry's strict parser: the same rules the credential pool applies when it reads it.
    parseDockerConfigJson(`Secret ${key}`, Buffer.from(encoded, 'base64'));
  } catch (err) {
    if (!(err instanceof InvalidDockerConfigError)) throw err;
    return new SourceSecretError(key, 'invalid', `${DOCKER_CONFIG_JSON_KEY} ${err.problem}`);
  }
  return { type: secret.type, data: secret.data ?? {} };
}
