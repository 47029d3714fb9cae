// The boundary between the copy engine and the wire: the copy engine sees a registry only through
// `RegistryClient`, so tests can wrap it to count calls or inject faults, and the transport (auth,
// retries, redirects, TLS) never knows what a copy is.
import type { Readable } from 'node:stream';

/** An OCI/Docker platform, as found in an index's descriptors. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

/** An OCI content descriptor: what a manifest says about a blob or a child manifest. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What a manifest HEAD tells: enough to decide whether to copy, without spending a pull. */
export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

/** A manifest's exact bytes; never re-serialised, since its digest is the hash of these bytes. */
export interface Manifest extends ManifestHead {
  readonly bytes: Buffer;
}

/** A blob being read: the body must be consumed or destroyed, or the connection leaks. */
export interface BlobReader {
  readonly body: Readable;
  readonly size: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * One registry host, with its credentials already bound. `repository` is the path inside the host
 * (`library/nginx`); `reference` is a tag or a digest. Errors are `RegistryError`s that carry the
 * registry, repository and digest; a 404 on a HEAD is an answer (`undefined`), not an error.
 */
export interface RegistryClient {
  /** The host as written in references (`127.0.0.1:5000`, `docker.io`). */
  readonly host: string;
  headManifest(
    repository: string,
    reference: string,
    options?: CallOptions,
  ): Promise<ManifestHead | undefined>;
  /** Fails if the body exceeds 4 MiB, or if its sha256 differs from `reference` when that is a digest. */
  getManifest(repository: string, reference: string, options?: CallOptions): Promise<Manifest>;
  /** PUTs the bytes with Content-Type = mediaType; resolves with the digest the registry reports. */
  putManifest(
    repository: string,
    reference: string,
    manifest: { readonly mediaType: string; readonly bytes: Buffer },
    options?: CallOptions,
  ): Promise<string>;
  /** Resolves with the blob's size, or undefined when the repository does not hold it. */
  headBlob(repository: string, digest: string, options?: CallOptions): Promise<number | undefined>;
  /** Follows redirects by hand, never sending Authorization to another host. */
  getBlob(repository: string, digest: string, options?: CallOptions): Promise<BlobReader>;
  /**
   * Cross-repository mount. True when the registry mounted it; false when it declined (an upload
   * session it opened instead is cancelled), so the caller uploads.
   */
  mountBlob(
    repository: string,
    digest: string,
    fromRepository: string,
    options?: CallOptions,
  ): Promise<boolean>;
  /**
   * Monolithic upload (POST, then one PUT with Content-Length and ?digest=). The body is consumed
   * exactly once; the caller owns integrity checks on it.
   */
  pushBlob(
    repository: string,
    digest: string,
    size: number,
    body: Readable,
    options?: CallOptions,
  ): Promise<void>;
  /** Chunked upload (POST, PATCH with Content-Range per chunk, closing PUT), the fallback path. */
  pushBlobChunked(
    repository: string,
    digest: string,
    size: number,
    body: Readable,
    options?: CallOptions & { readonly chunkSize?: number },
  ): Promise<void>;
  /**
   * Whether and when to restart an upload after `failures` tries of it failed, the last with
   * `error`: an upload streams its body once, so the caller restarts it with a fresh one. Resolves
   * `false` at once when no tries are left; else `true`, after waiting out a temporary error (its
   * Retry-After, bounded, or jittered backoff). An error that is not temporary is not waited for:
   * the same upload would fail the same way, so a caller restarts only in another way (chunked).
   * Rejects with the signal's reason when it aborts.
   */
  waitToRestartUpload(failures: number, error: unknown, options?: CallOptions): Promise<boolean>;
}

export interface ClosableRegistryClient extends RegistryClient {
  /** Closes idle connections and waits for in-flight ones; the client is unusable afterwards. */
  close(): Promise<void>;
}
