// The `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret: parsed strictly (as the kubelet
// does, so a Secret the kubelet would refuse is refused here too, naming the Secret and never its
// data) into a document whose entries are ordered as the kubelet tries them; and written, for the
// pull Secrets lifeboat creates. A parsed document prints as its source and keys only.
import { LifeboatError } from '../../common/errors.ts';
import type { Credentials } from './credentials.ts';
import { readDockerConfigEntries } from './docker-config.ts';
import { credentialsFingerprint } from './fingerprint.ts';
import { Redacted } from './redacted.ts';
import {
  compareRegistryKeys,
  parseRegistryPattern,
  patternMatches,
  type RegistryPattern,
} from './registry-pattern.ts';

/** A pull Secret (or a docker config written for one) that cannot be used. Retrying will not help. */
export class InvalidDockerConfigError extends LifeboatError {
  readonly code = 'DOCKER_CONFIG_INVALID';
  readonly temporary = false;
  /** What holds the document, e.g. `Secret team-a/registry-creds`. */
  readonly source: string;
  /** What is wrong, without the source: `is not valid JSON`, `has no "auths" object`, … */
  readonly problem: string;

  constructor(source: string, problem: string) {
    super(`${source}: .dockerconfigjson ${problem}`);
    this.name = 'InvalidDockerConfigError';
    this.source = source;
    this.problem = problem;
  }
}

/** One entry of a document, as matched. */
export interface DockerConfigMatch {
  /** The key as normalised (`quay.io/team`), for logs and status. */
  readonly key: string;
  readonly credentials: Credentials;
  /** Equal for equal credentials (fingerprint.ts). */
  readonly fingerprint: string;
}

interface PatternEntry extends DockerConfigMatch {
  readonly pattern: RegistryPattern;
}

/** A parsed `.dockerconfigjson`; build it with `parseDockerConfigJson`. */
export class DockerConfigDocument extends Redacted {
  /** What the document came from, e.g. `Secret team-a/registry-creds`. */
  readonly source: string;
  readonly #entries: readonly PatternEntry[];
  readonly #fingerprints: ReadonlySet<string>;

  constructor(source: string, entries: readonly PatternEntry[]) {
    super();
    this.source = source;
    // A stable sort keeps document order among equal keys (`docker.io` and `index.docker.io`).
    this.#entries = [...entries].sort((a, b) => compareRegistryKeys(a.key, b.key));
    this.#fingerprints = new Set(entries.map((e) => e.fingerprint));
  }

  /** The normalised keys, in the order they are tried. */
  get keys(): readonly string[] {
    return this.#entries.map((e) => e.key);
  }

  /** Fingerprints of every credential the document holds. */
  get fingerprints(): ReadonlySet<string> {
    return this.#fingerprints;
  }

  /** The entries that apply to `path` on `host`, best first. */
  matches(host: string, path: string): DockerConfigMatch[] {
    return this.#entries
      .filter((e) => patternMatches(e.pattern, host, path))
      .map(({ key, credentials, fingerprint }) => ({ key, credentials, fingerprint }));
  }

  protected describe(): Record<string, unknown> {
    return { source: this.source, keys: this.keys };
  }
}

/**
 * Parses a `.dockerconfigjson` (the Secret's data, base64-decoded). Refused with an
 * `InvalidDockerConfigError` naming `source`: not JSON, not an object, no `auths` object, an entry that
 * is not an object or has a field of the wrong type, an `auth` that is not base64 of `user:password`.
 * Keys the kubelet would skip (no host, a scheme other than http(s)) are skipped.
 */
export function parseDockerConfigJson(source: string, data: string | Uint8Array): DockerConfigDocument {
  const fail = (problem: string): InvalidDockerConfigError => new InvalidDockerConfigError(source, problem);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch {
    // JSON.parse's message quotes the text around the fault: it may be a secret.
    throw fail('is not valid JSON');
  }
  const entries: PatternEntry[] = [];
  for (const { key, credentials } of readDockerConfigEntries(parsed, { strict: true, fail })) {
    const pattern = parseRegistryPattern(key);
    if (pattern === undefined) continue;
    entries.push({
      pattern,
      key: pattern.key,
      credentials,
      fingerprint: credentialsFingerprint(credentials),
    });
  }
  return new DockerConfigDocument(source, entries);
}

/** A registry login to write into a pull Secret. */
export interface RegistryLogin {
  /** The `auths` key: a host (`backup.example.com:5000`), optionally with a path prefix. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/**
 * A `.dockerconfigjson` document, as `kubectl create secret docker-registry` writes it: per registry
 * `username`, `password` and `auth` (base64 of `user:password`), which every reader understands.
 * A user name with a colon is refused: `auth` would be read back with another split.
 */
export function formatDockerConfigJson(logins: readonly RegistryLogin[]): string {
  const auths: Record<string, { username: string; password: string; auth: string }> = {};
  for (const { registry, username, password } of logins) {
    const where = `entry ${JSON.stringify(registry)}`;
    if (parseRegistryPattern(registry) === undefined) {
      throw new InvalidDockerConfigError('docker config', `${where} is not a registry host`);
    }
    if (username.includes(':')) {
      throw new InvalidDockerConfigError('docker config', `${where}: a user name cannot contain ":"`);
    }
    if (Object.hasOwn(auths, registry)) {
      throw new InvalidDockerConfigError('docker config', `${where} is given twice`);
    }
    auths[registry] = {
      username,
      password,
      auth: Buffer.from(`${username}:${password}`, 'utf8').toString('base64'),
    };
  }
  return JSON.stringify({ auths });
}
