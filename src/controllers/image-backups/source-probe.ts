/**
 * One look at a backup's source reference, HEAD only (Docker Hub does not count HEADs against its
 * pull limit), with the logins a copy of it would use, best first (registry-access.ts): what the
 * source serves now. Used by the source check (issue 15 item 3) and by the recheck of a damaged
 * backup, which copies again only when the source still serves the same digest.
 * - A login the source refuses (401/403) or that sees nothing (404, which registries also answer a
 *   login that may not see the repository) passes to the next; the first that finds the manifest
 *   answers. NotFound when any login was told 404, Unauthorized when every login was refused.
 * - 429 is neither: the caller waits for Retry-After and does not count the source as gone.
 * - Anything else (network, 5xx after the client's retries): Unreachable, with the message, which
 *   names the registry and never a secret.
 */
import { parseNormalizedNamed } from '../../reference/index.ts';
import {
  imageLocation,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../registry/index.ts';
import type { RegistryAccess, SecretRef } from './registry-access.ts';

export type SourceProbe =
  | { readonly kind: 'found'; readonly digest: string }
  | { readonly kind: 'gone'; readonly reason: 'NotFound' | 'Unauthorized'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string }
  | { readonly kind: 'throttled'; readonly retryAfterMs: number | undefined; readonly message: string };

export async function probeSource(
  access: Pick<RegistryAccess, 'sourceChoices'>,
  source: string,
  sourceRefs: readonly SecretRef[],
  signal: AbortSignal,
  /** Awaited before each HEAD after the first (the per-registry budget: every request counts). */
  pace: () => Promise<void> = () => Promise.resolve(),
): Promise<SourceProbe> {
  const ref = parseNormalizedNamed(source);
  let notFound = false;
  let last = '';
  try {
    let first = true;
    for (const login of await access.sourceChoices(ref, sourceRefs)) {
      if (!first) await pace();
      first = false;
      try {
        const head = await login.use((client) => {
          const { repository, reference } = imageLocation(client, ref);
          return client.headManifest(repository, reference, { signal });
        });
        if (head !== undefined) return { kind: 'found', digest: head.digest };
        notFound = true;
        last = `${source} is not found (login ${login.source})`;
      } catch (error) {
        if (error instanceof NotFoundError) {
          notFound = true;
          last = error.message;
        } else if (error instanceof UnauthorizedError) {
          last = error.message;
        } else {
          throw error;
        }
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof TooManyRequestsError)
      return { kind: 'throttled', retryAfterMs: error.retryAfterMs, message };
    return { kind: 'unreachable', message };
  }
  return { kind: 'gone', reason: notFound ? 'NotFound' : 'Unauthorized', message: last };
}
