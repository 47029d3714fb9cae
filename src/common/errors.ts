/**
 * The one base of lifeboat's typed errors (reference, registry, kube, controllers).
 *
 * Every error a component throws on purpose extends it, so policies read two fields instead of duck
 * typing or message text:
 * - `code`: stable and machine-readable (`KUBE_API_STATUS`, `REGISTRY_UNAUTHORIZED`, …); docs and
 *   metrics labels use it.
 * - `temporary`: `true` when the same call may succeed later (5xx, 429, resets, timeouts): the
 *   controller requeues it with backoff. `false` when only a different input or a human helps (a
 *   malformed reference, 403, a digest mismatch): the controller reports it and forgets the key.
 * Messages name what failed (method, path, registry, repository, digest, object key), never credentials.
 */
export abstract class LifeboatError extends Error {
  abstract readonly code: string;
  abstract readonly temporary: boolean;
}

/** True when `err` is a lifeboat error that retrying cannot fix. Unknown errors count as temporary. */
export function isPermanentError(err: unknown): err is LifeboatError {
  return err instanceof LifeboatError && !err.temporary;
}
