/**
 * How the ImageBackup controller reads a failed copy: which error code names it (condition reason,
 * metric label) and whether the source refused the login (try the next one). When to try again is
 * copy-retry.ts.
 */
import { LifeboatError } from '../../common/errors.ts';
import { CopyError, RegistryError } from '../../registry/index.ts';
import type { CopyFailure } from './copy-status.ts';

/** Every login for the source was refused; the last refusal is the cause. */
export class SourceAccessError extends LifeboatError {
  override readonly name = 'SourceAccessError';
  readonly code = 'SOURCE_ACCESS_DENIED';
  /** The source may be made readable (a Secret added or fixed): retried with backoff. */
  readonly temporary = false;
  readonly source: string;
  constructor(source: string, tried: readonly string[], cause: unknown) {
    super(`no login could read ${source} (tried ${tried.join(', ')}): ${(cause as Error).message}`, {
      cause,
    });
    this.source = source;
  }
}

/** Causes followed at most: enough for copy → registry → socket chains. */
const MAX_DEPTH = 8;

function* causes(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < MAX_DEPTH; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * The code of the innermost lifeboat error in the cause chain (`BLOB_DIGEST_MISMATCH` rather than
 * the `COPY_FAILED` wrapping it), `UNKNOWN` for foreign errors, and the outer message, which names
 * the copy and, through the wrapped messages, registry, digests or media type.
 */
export function copyFailure(error: unknown): CopyFailure {
  let code = 'UNKNOWN';
  for (const e of causes(error)) if (e instanceof LifeboatError) code = e.code;
  return { code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Whether `error` means the source registry `host` refused this login: 401/403, or 404, which
 * registries answer for a repository the login may not see (a missing source manifest included).
 * Refusals by the backup registry do not count: another source login would not help them.
 */
export function sourceRefused(error: unknown, host: string): boolean {
  for (const e of causes(error)) {
    if (e instanceof CopyError && e.code === 'COPY_NOT_FOUND') return true;
    if (
      e instanceof RegistryError &&
      e.registry === host &&
      (e.code === 'REGISTRY_UNAUTHORIZED' || e.code === 'REGISTRY_NOT_FOUND')
    ) {
      return true;
    }
  }
  return false;
}
