// copyImage's options: what a caller may give, the defaults of what it leaves out, and the refusal
// of what cannot work together (a shared scheduler with private limits, a platform that is no
// platform). Everything is checked before the first request.
import pino, { type Logger } from 'pino';
import { parsePlatform } from '../manifest/index.ts';
import type { Platform, RegistryClient } from '../model/types.ts';
import { CopyError } from './errors.ts';
import type { CopyProgress } from './progress.ts';
import { createCopyScheduler, type CopyScheduler } from './scheduler.ts';

export interface ImageLocation {
  readonly client: RegistryClient;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

export interface CopyImageOptions {
  readonly source: ImageLocation;
  /** A tag (moved to the copy) or a digest (which must be the digest of what is copied). */
  readonly target: ImageLocation;
  /** Keep only these platforms of an index (`os/arch[/variant]`); this writes a new index. */
  readonly platforms?: readonly (string | Platform)[] | undefined;
  /**
   * Give every manifest written to the target, and every one of the image found there already, its
   * anchor tag (anchor-tag.ts): what a backup needs so that a garbage collector of untagged manifests
   * never deletes it. Off by default: a plain copy adds no tags the caller did not ask for.
   */
  readonly anchor?: boolean | undefined;
  /** For a private scheduler; conflicts with `scheduler`. */
  readonly jobs?: number | undefined;
  /** For a private scheduler; conflicts with `scheduler`. */
  readonly perHostLimit?: number | undefined;
  /** Shared with concurrent copies so they dedupe blobs, share limits and mount from each other. */
  readonly scheduler?: CopyScheduler | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: CopyProgress) => void) | undefined;
  /** Repositories in the target registry known to hold a digest (earlier backups): mount candidates. */
  readonly mountSources?: ((digest: string) => Iterable<string>) | undefined;
  /** Chunk size of the chunked-upload fallback; the client's default otherwise. */
  readonly chunkSize?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: (() => number) | undefined;
}

/** The options with every default applied and the platforms parsed (undefined: all of them). */
export interface ResolvedOptions {
  readonly source: ImageLocation;
  readonly target: ImageLocation;
  readonly platforms: readonly Platform[] | undefined;
  readonly anchor: boolean;
  readonly scheduler: CopyScheduler;
  readonly mountSources: (digest: string) => Iterable<string>;
  readonly chunkSize: number | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Applies defaults; throws `CopyError` COPY_INVALID_ARGUMENT naming the copy (`describe`). */
export function resolveOptions(
  options: CopyImageOptions,
  describe: { source: string; target: string },
): ResolvedOptions {
  const invalid = (message: string): CopyError =>
    new CopyError(message, { ...describe, code: 'COPY_INVALID_ARGUMENT', temporary: false });
  if (options.scheduler !== undefined && (options.jobs !== undefined || options.perHostLimit !== undefined)) {
    throw invalid('copyImage: give either a scheduler or jobs/perHostLimit, not both');
  }
  let platforms: Platform[] | undefined;
  try {
    platforms = options.platforms?.map((p) => (typeof p === 'string' ? parsePlatform(p) : p));
  } catch (error) {
    throw new CopyError(`copying ${describe.source} to ${describe.target}: ${(error as Error).message}`, {
      ...describe,
      code: 'COPY_INVALID_ARGUMENT',
      cause: error,
    });
  }
  if (platforms?.length === 0) platforms = undefined;
  let scheduler = options.scheduler;
  if (scheduler === undefined) {
    try {
      scheduler = createCopyScheduler({
        ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
        ...(options.perHostLimit === undefined ? {} : { perHostLimit: options.perHostLimit }),
      });
    } catch (error) {
      throw invalid(`copyImage: ${(error as Error).message}`);
    }
  }
  return {
    source: options.source,
    target: options.target,
    platforms,
    anchor: options.anchor ?? false,
    scheduler,
    mountSources: options.mountSources ?? (() => []),
    chunkSize: options.chunkSize,
    logger: options.logger ?? pino({ level: 'silent' }),
    now: options.now ?? (() => performance.now()),
  };
}
