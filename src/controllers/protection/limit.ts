// A bound on the registry requests in flight: `verify` HEADs every blob of every backup, and a
// cluster's worth at once would be a burst no registry should take from one read-only command.
// Invariant: at most `max` calls of `fn` run at a time; a finished call hands its slot straight to
// the first waiter, so no caller can slip in between and exceed the bound.

export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

export function createLimit(max: number): Limit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`limit must be ≥ 1, got ${max}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) active--;
    else next();
  };
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      release();
    }
  };
}
