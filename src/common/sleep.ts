/**
 * The one abortable sleep of lifeboat (kube retries, informer and lease loops, registry retries,
 * token-bucket waits).
 *
 * Resolves after `ms`, or rejects with the signal's own reason (not a generic AbortError) as soon as
 * `signal` aborts, so callers can tell their shutdown from a failure by identity. The timer is
 * cleared either way, so a pending sleep never holds the process open after an abort.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The shape of {@link sleep}, for components that take an injected sleeper in tests. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
