// Registry clients for images whose credentials come from Kubernetes pull Secrets.
//
// `resolve(image, tiers)` answers the credentials to try for an image, in the kubelet's order
// (keyring.ts), each with a client leased through `use`. Clients are pooled per (host, credentials):
// every image on a host that resolves to the same login shares one client, its connections and its
// token cache. Secrets are passed as their current data on every call; the pool parses a Secret once
// per content and notices rotation itself:
//  - a Secret whose data changed is parsed again; a pooled client whose credentials no Secret holds
//    any more is retired (dropped from the pool, and closed when its last lease ends), so tokens of
//    old credentials are never reused;
//  - `forget(name)` does the same for a deleted Secret.
// Secret data stays in memory: the pool, its choices and its documents print only Secret names, keys
// and counts (redacted.ts), and every parse error names the Secret, never its data.
import { LifeboatError } from '../../common/errors.ts';
import type { ClosableRegistryClient, RegistryClient } from '../model/types.ts';
import type { Credentials } from './credentials.ts';
import { fingerprint } from './fingerprint.ts';
import { ANONYMOUS_MATCH, lookupCredentials, type KeyringMatch } from './keyring.ts';
import { InvalidDockerConfigError, parseDockerConfigJson, type DockerConfigDocument } from './pull-secret.ts';
import { Redacted } from './redacted.ts';

/** A pull Secret as the pool reads it. */
export interface DockerConfigSecret {
  /** `namespace/name`: the Secret's identity, and how messages name it. */
  readonly name: string;
  /** Its `.dockerconfigjson`, base64-decoded. */
  readonly data: string | Uint8Array;
}

/** Where an image lives: a registry host as in references (`docker.io`, `r:5000`) and a repository path. */
export interface ImageRepository {
  readonly domain: string;
  readonly path: string;
}

export interface CredentialPoolOptions {
  /** Builds the client for a host and login (e.g. `registryClientFactory(…)`); the pool closes it. */
  readonly createClient: (host: string, credentials: Credentials) => ClosableRegistryClient;
}

export interface CredentialResolution {
  /** The credentials to try, best first; the last is anonymous. */
  readonly choices: readonly PooledCredentials[];
  /** Secrets that could not be read, left out of `choices` (the kubelet would fail the pull). */
  readonly errors: readonly InvalidDockerConfigError[];
}

/** A lease was asked of a closed pool: the process is shutting down. */
export class CredentialPoolClosedError extends LifeboatError {
  readonly code = 'CREDENTIAL_POOL_CLOSED';
  readonly temporary = true;

  constructor() {
    super('the registry credential pool is closed');
    this.name = 'CredentialPoolClosedError';
  }
}

/** Runs `fn` with a leased client. */
type Lease = <T>(fn: (client: RegistryClient) => Promise<T>) => Promise<T>;

interface PooledClient {
  readonly client: ClosableRegistryClient;
  leases: number;
  retired: boolean;
}

interface ParsedSecret {
  readonly dataFingerprint: string;
  readonly document: DockerConfigDocument | InvalidDockerConfigError;
}

/** One login to try for an image; prints as its source and key only. */
export class PooledCredentials extends Redacted {
  /** `Secret ns/name` of the Secret that gave it, or `anonymous`. */
  readonly source: string;
  /** The key of `auths` that matched (`quay.io/team`); undefined for anonymous. */
  readonly key: string | undefined;
  readonly host: string;
  readonly #match: KeyringMatch;
  readonly #lease: Lease;

  constructor(host: string, match: KeyringMatch, lease: Lease) {
    super();
    this.#match = match;
    this.#lease = lease;
    this.host = host;
    this.source = match.source;
    this.key = match.key;
  }

  /** True for the anonymous choice: an image that needs no other is public. */
  get anonymous(): boolean {
    return this.#match.credentials.kind === 'anonymous';
  }

  /**
   * Runs `fn` with the pooled client for this host and login. The client stays open until `fn`
   * settles even if a rotation retires it meanwhile; do not keep it past `fn`.
   */
  use<T>(fn: (client: RegistryClient) => Promise<T>): Promise<T> {
    return this.#lease(fn);
  }

  protected describe(): Record<string, unknown> {
    return { host: this.host, source: this.source, key: this.key };
  }
}

export class CredentialPool extends Redacted {
  readonly #createClient: CredentialPoolOptions['createClient'];
  /** Secret name → its last parsed content. */
  readonly #secrets = new Map<string, ParsedSecret>();
  /** `host\0fingerprint` → client. */
  readonly #clients = new Map<string, PooledClient>();
  #closed = false;

  constructor(options: CredentialPoolOptions) {
    super();
    this.#createClient = options.createClient;
  }

  /**
   * The credentials to try for `image`, from tiers of Secrets in the caller's order, e.g.
   * `[[...podTemplateSecrets], [...serviceAccountSecrets], [sourceCredentialsSecret]]`. Within a tier
   * the most specific key wins across Secrets; tiers never mix; anonymous comes last.
   */
  resolve(image: ImageRepository, tiers: readonly (readonly DockerConfigSecret[])[]): CredentialResolution {
    const errors: InvalidDockerConfigError[] = [];
    const documents = tiers.map((tier) =>
      tier.flatMap((secret) => {
        const parsed = this.#parse(secret);
        if (parsed instanceof InvalidDockerConfigError) {
          errors.push(parsed);
          return [];
        }
        return [parsed];
      }),
    );
    const choices = lookupCredentials(documents, image.domain, image.path).map(
      (match) => new PooledCredentials(image.domain, match, (fn) => this.#lease(image.domain, match, fn)),
    );
    return { choices, errors };
  }

  /** Forgets a deleted Secret and retires the clients of credentials no other Secret holds. */
  forget(name: string): void {
    if (this.#secrets.delete(name)) this.#retireStale();
  }

  /** Closes every pooled client (in-flight requests finish); the pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.client.close()));
  }

  /** Runs `fn` under a lease of the client for `host` and `match`. */
  async #lease<T>(host: string, match: KeyringMatch, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new CredentialPoolClosedError();
    const id = `${host}\0${match.fingerprint}`;
    let pooled = this.#clients.get(id);
    if (pooled === undefined) {
      pooled = { client: this.#createClient(host, match.credentials), leases: 0, retired: false };
      // A choice resolved before its Secret rotated still works, with a client of its own.
      if (this.#isLive(match.fingerprint)) this.#clients.set(id, pooled);
      else pooled.retired = true;
    }
    pooled.leases++;
    try {
      return await fn(pooled.client);
    } finally {
      pooled.leases--;
      if (pooled.retired && pooled.leases === 0) await pooled.client.close();
    }
  }

  #parse(secret: DockerConfigSecret): DockerConfigDocument | InvalidDockerConfigError {
    const dataFingerprint = fingerprint(secret.data);
    const cached = this.#secrets.get(secret.name);
    if (cached?.dataFingerprint === dataFingerprint) return cached.document;
    let document: DockerConfigDocument | InvalidDockerConfigError;
    try {
      document = parseDockerConfigJson(`Secret ${secret.name}`, secret.data);
    } catch (error) {
      if (!(error instanceof InvalidDockerConfigError)) throw error;
      document = error;
    }
    this.#secrets.set(secret.name, { dataFingerprint, document });
    if (cached !== undefined) this.#retireStale();
    return document;
  }

  #isLive(credentialsFingerprint: string): boolean {
    if (credentialsFingerprint === ANONYMOUS_MATCH.fingerprint) return true;
    for (const { document } of this.#secrets.values()) {
      if (
        !(document instanceof InvalidDockerConfigError) &&
        document.fingerprints.has(credentialsFingerprint)
      ) {
        return true;
      }
    }
    return false;
  }

  #retireStale(): void {
    for (const [id, pooled] of this.#clients) {
      const credentialsFingerprint = id.slice(id.indexOf('\0') + 1);
      if (this.#isLive(credentialsFingerprint)) continue;
      this.#clients.delete(id);
      pooled.retired = true;
      if (pooled.leases === 0) void pooled.client.close().catch(() => undefined);
    }
  }

  protected describe(): Record<string, unknown> {
    return { secrets: [...this.#secrets.keys()], clients: this.#clients.size, closed: this.#closed };
  }
}
