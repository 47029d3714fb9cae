// Looks into the registries the way a third party would, never through lifeboat's registry code:
// crane (go-containerregistry) for digests and catalogs, and a minimal HTTP client (the distribution
// API's Bearer challenge, a token for the read-only user, a HEAD) for the auditor's frequent checks.
import { runTool, type LocalRegistry } from '../../../src/devenv/index.ts';
import type { Credentials } from './backup-env.ts';

/** The registry as crane should see it: logged in as `credentials` (e.g. the read-only user). */
function as(registry: LocalRegistry, credentials: Credentials | undefined): LocalRegistry {
  return credentials === undefined
    ? registry
    : { ...registry, username: credentials.username, password: credentials.password };
}

/** `crane digest REF`: the digest of the top manifest; throws when it is missing or unreadable. */
export async function craneDigest(
  registry: LocalRegistry,
  ref: string,
  credentials?: Credentials,
): Promise<string> {
  return (await runTool('crane', ['digest', ref], { registries: [as(registry, credentials)] })).stdout.trim();
}

/** `crane catalog HOST`, sorted: every repository the registry holds (the catalog scope needs the push user). */
export async function craneCatalog(registry: LocalRegistry, credentials?: Credentials): Promise<string[]> {
  const { stdout } = await runTool('crane', ['catalog', registry.host], {
    registries: [as(registry, credentials)],
  });
  return stdout.split('\n').filter(Boolean).sort();
}

/** `crane ls REPO`, sorted: the tags of a repository. */
export async function craneTags(
  registry: LocalRegistry,
  repository: string,
  credentials?: Credentials,
): Promise<string[]> {
  const { stdout } = await runTool('crane', ['ls', `${registry.host}/${repository}`], {
    registries: [as(registry, credentials)],
  });
  return stdout.split('\n').filter(Boolean).sort();
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ManifestHead {
  /** HTTP status of the HEAD (200 present, 404 missing). */
  readonly status: number;
  readonly digest: string | undefined;
}

export interface ManifestRead extends ManifestHead {
  /** The body (undefined unless 200). */
  readonly body: Buffer | undefined;
}

export interface RegistryReader {
  /** HEAD /v2/{repository}/manifests/{reference} with a token for the reader's pull scope. */
  headManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestHead>;
  /** GET /v2/{repository}/manifests/{reference}, the same way. */
  getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestRead>;
  /** HEAD /v2/{repository}/blobs/{digest}: the HTTP status (200 present, 404 missing). */
  headBlob(repository: string, digest: string, signal?: AbortSignal): Promise<number>;
}

/**
 * A plain-HTTP reader of a token-auth (or open) registry: follows the Bearer challenge once per
 * repository and keeps the token for half its lifetime, so polling many times a second costs no
 * token request each time.
 */
export function registryReader(registry: LocalRegistry, credentials: Credentials): RegistryReader {
  const tokens = new Map<string, { token: string; until: number }>();
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');

  async function token(challenge: string, signal?: AbortSignal): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const),
    );
    const url = new URL(params.realm ?? '');
    for (const key of ['service', 'scope'] as const) {
      if (params[key] !== undefined) url.searchParams.set(key, params[key]);
    }
    const res = await fetch(url, { headers: { authorization: `Basic ${basic}` }, signal: signal ?? null });
    if (!res.ok) throw new Error(`token for ${params.scope}: HTTP ${res.status}`);
    const body = (await res.json()) as { token?: string; expires_in?: number };
    if (!body.token) throw new Error(`token for ${params.scope}: no token in the answer`);
    return body.token;
  }

  /** One request (getManifest, headBlob) with the repository's cached token, or after the Bearer (or Basic) challenge. */
  async function send(
    repository: string,
    url: string,
    init: { method: string; accept?: string },
    signal?: AbortSignal,
  ): Promise<Response> {
    const once = (authorization?: string) =>
      fetch(url, {
        method: init.method,
        headers: {
          ...(init.accept ? { accept: init.accept } : {}),
          ...(authorization ? { authorization } : {}),
        },
        signal: signal ?? null,
      });
    const cached = tokens.get(repository);
    let res = await once(cached && cached.until > Date.now() ? `Bearer ${cached.token}` : undefined);
    const challenge = res.headers.get('www-authenticate');
    if (res.status === 401 && challenge?.startsWith('Bearer ')) {
      await res.body?.cancel();
      const fresh = await token(challenge, signal);
      tokens.set(repository, { token: fresh, until: Date.now() + 60_000 });
      res = await once(`Bearer ${fresh}`);
    } else if (res.status === 401) {
      await res.body?.cancel();
      res = await once(`Basic ${basic}`);
    }
    return res;
  }

  return {
    async headManifest(repository, reference, signal) {
      const url = `${registry.url}/v2/${repository}/manifests/${reference}`;
      const head = (authorization?: string) =>
        fetch(url, {
          method: 'HEAD',
          headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
          signal: signal ?? null,
        });
      const cached = tokens.get(repository);
      let res = await head(cached && cached.until > Date.now() ? `Bearer ${cached.token}` : undefined);
      const challenge = res.headers.get('www-authenticate');
      if (res.status === 401 && challenge?.startsWith('Bearer ')) {
        const fresh = await token(challenge, signal);
        tokens.set(repository, { token: fresh, until: Date.now() + 60_000 });
        res = await head(`Bearer ${fresh}`);
      } else if (res.status === 401) {
        res = await head(`Basic ${basic}`);
      }
      return { status: res.status, digest: res.headers.get('docker-content-digest') ?? undefined };
    },
    async getManifest(repository, reference, signal) {
      const url = `${registry.url}/v2/${repository}/manifests/${reference}`;
      const res = await send(repository, url, { method: 'GET', accept: MANIFEST_TYPES }, signal);
      const body = res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
      if (body === undefined) await res.body?.cancel();
      return { status: res.status, digest: res.headers.get('docker-content-digest') ?? undefined, body };
    },
    async headBlob(repository, digest, signal) {
      const url = `${registry.url}/v2/${repository}/blobs/${digest}`;
      return (await send(repository, url, { method: 'HEAD' }, signal)).status;
    },
  };
}

/**
 * Splits `host/repo[:tag][@digest]` into repository and the reference a manifest is fetched by
 * (the digest when there is one). undefined when `image` is not on `host`.
 */
export function splitImage(
  image: string,
  host: string,
): { repository: string; tag: string | undefined; digest: string | undefined } | undefined {
  if (!image.startsWith(`${host}/`)) return undefined;
  let rest = image.slice(host.length + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}
