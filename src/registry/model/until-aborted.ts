// Waiting on work that others share (a token exchange, another copy's placement of a blob) without
// letting that work be cancelled by, or hold up, a caller whose own signal aborted.

/** `promise`, or the abort reason of `signal` as soon as it aborts; `promise` itself runs on. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
