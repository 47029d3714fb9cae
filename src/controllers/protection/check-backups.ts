// Walks the backup images workloads run through the backup registry: for each, the manifest it
// names, every child manifest of an index, the anchor tag of each of those manifests, and (unless
// shallow) the config and every layer blob, by HEAD. Reads only.
// Invariants:
// - Every request is made once per (registry, repository, digest or tag), however many workloads
//   and indexes name it: two Deployments of one image cost one walk, an index's shared layer one HEAD.
// - At most `concurrency` requests are in flight (limit.ts).
// - A 404 is a finding (missing, unanchored); any other registry failure makes that image
//   `unreadable` (its message names registry and repository, never a credential): `verify` cannot
//   prove what it could not read, and says so instead of guessing.
import { parseNormalizedNamed } from '../../reference/index.ts';
import {
  anchorTag,
  NotFoundError,
  RegistryError,
  type Descriptor,
  type ImageRepository,
  type ManifestHead,
  type RegistryClient,
} from '../../registry/index.ts';
import {
  listChildren,
  ManifestError,
  parseManifest,
  type ParsedManifest,
} from '../../registry/manifest/index.ts';
import type { BackupFindings, MissingPiece, UnanchoredManifest } from './findings.ts';
import { createLimit } from './limit.ts';

/** How the checker reaches a registry: the backup registry's client with the login verify reads with. */
export type WithClient = <T>(
  repository: ImageRepository,
  fn: (client: RegistryClient) => Promise<T>,
) => Promise<T>;

export interface BackupCheckerOptions {
  readonly withClient: WithClient;
  /** `--shallow`: manifests and anchors only, no blob HEADs. */
  readonly shallow: boolean;
  /** Requests in flight at most; 8 by default. */
  readonly concurrency?: number;
  /** Called after each request settles: `done` of `total` requests known so far. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
  readonly signal?: AbortSignal;
}

export interface BackupChecker {
  /** The findings of one backup image (`host/path@digest` or `:tag`), remembered per reference. */
  check(reference: string): Promise<BackupFindings>;
}

export const DEFAULT_CHECK_CONCURRENCY = 8;

type ManifestRead = { readonly digest: string; readonly parsed: ParsedManifest } | 'absent';

export function createBackupChecker(o: BackupCheckerOptions): BackupChecker {
  const limit = createLimit(o.concurrency ?? DEFAULT_CHECK_CONCURRENCY);
  const requests = new Map<string, Promise<unknown>>();
  let done = 0;
  const call = o.signal === undefined ? {} : { signal: o.signal };

  /** One request per key, bounded, counted for the progress line. */
  function once<T>(
    key: string,
    repo: ImageRepository,
    fn: (client: RegistryClient) => Promise<T>,
  ): Promise<T> {
    const known = requests.get(key);
    if (known !== undefined) return known as Promise<T>;
    const request = limit(() => o.withClient(repo, fn)).finally(() => {
      done++;
      o.onProgress?.({ done, total: requests.size });
    });
    requests.set(key, request);
    // Settled by whoever awaits it; a rejection nobody awaited yet must not crash the process.
    request.catch(() => undefined);
    return request;
  }

  const where = (repo: ImageRepository): string => `${repo.domain}/${repo.path}`;

  const readManifest = (repo: ImageRepository, reference: string): Promise<ManifestRead> =>
    once(`GET ${where(repo)}@${reference}`, repo, async (client) => {
      try {
        const m = await client.getManifest(repo.path, reference, call);
        return { digest: m.digest, parsed: parseManifest(m.bytes, m.mediaType) };
      } catch (error) {
        if (error instanceof NotFoundError) return 'absent';
        throw error;
      }
    });

  const headAnchor = (repo: ImageRepository, tag: string): Promise<ManifestHead | undefined> =>
    once(`HEAD ${where(repo)}:${tag}`, repo, (client) => client.headManifest(repo.path, tag, call));

  const headBlob = (repo: ImageRepository, digest: string): Promise<number | undefined> =>
    once(`HEAD ${where(repo)}@blob:${digest}`, repo, (client) => client.headBlob(repo.path, digest, call));

  async function check(reference: string): Promise<BackupFindings> {
    const ref = parseNormalizedNamed(reference);
    const repo: ImageRepository = { domain: ref.domain, path: ref.path };
    // Keyed by digest: an index's children may share a layer; each missing piece is told once.
    const missing = new Map<string, MissingPiece>();
    const unanchored = new Map<string, UnanchoredManifest>();
    let manifests = 0;
    const blobs = new Set<string>();

    async function anchored(digest: string): Promise<void> {
      const tag = anchorTag(digest);
      if (tag === undefined) {
        unanchored.set(digest, { digest, tag });
        return;
      }
      const head = await headAnchor(repo, tag);
      if (head === undefined) unanchored.set(digest, { digest, tag });
      else if (head.digest !== digest) unanchored.set(digest, { digest, tag, names: head.digest });
    }

    async function blob(descriptor: Descriptor, kind: 'config' | 'layer'): Promise<void> {
      const size = await headBlob(repo, descriptor.digest);
      if (size === undefined) missing.set(descriptor.digest, { kind, digest: descriptor.digest });
      else if (size !== descriptor.size) {
        const problem = `${size} bytes where the manifest says ${descriptor.size}`;
        missing.set(descriptor.digest, { kind, digest: descriptor.digest, problem });
      } else blobs.add(descriptor.digest);
    }

    async function walk(at: string, kind: 'manifest' | 'child manifest'): Promise<string | undefined> {
      const read = await readManifest(repo, at);
      if (read === 'absent') {
        missing.set(at, { kind, digest: at });
        return undefined;
      }
      manifests++;
      const children = listChildren(read.parsed);
      const config = read.parsed.kind === 'image' ? read.parsed.config.digest : undefined;
      await Promise.all([
        anchored(read.digest),
        ...children.manifests.map((child) => walk(child.digest, 'child manifest')),
        ...(o.shallow ? [] : children.blobs.map((b) => blob(b, b.digest === config ? 'config' : 'layer'))),
      ]);
      return read.digest;
    }

    try {
      const digest = await walk(ref.digest ?? ref.tag ?? 'latest', 'manifest');
      return {
        state: 'checked',
        digest,
        missing: [...missing.values()],
        unanchored: [...unanchored.values()],
        manifests,
        blobs: blobs.size,
        shallow: o.shallow,
      };
    } catch (error) {
      if (error instanceof RegistryError || error instanceof ManifestError) {
        return { state: 'unreadable', error: error.message };
      }
      throw error;
    }
  }

  const checks = new Map<string, Promise<BackupFindings>>();
  return {
    check(reference) {
      const known = checks.get(reference);
      if (known !== undefined) return known;
      const started = check(reference);
      checks.set(reference, started);
      return started;
    },
  };
}
