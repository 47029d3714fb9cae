/**
 * client-go's `cache.WaitForCacheSync`: resolves true once every informer has listed, false as soon
 * as `signal` aborts first (an informer's `synced` ignores the signal, so it is raced here). The
 * abort listener is removed either way: a controller started and stopped many times leaks nothing.
 */
export async function waitForSync(
  signal: AbortSignal,
  ...informers: readonly { readonly synced: Promise<boolean> }[]
): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<boolean>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const all = Promise.all(informers.map((i) => i.synced)).then((r) => r.every(Boolean));
    return (await Promise.race([all, aborted])) && !signal.aborted;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
