// A weighted semaphore whose waiters are served by priority (highest first, then first come). The copy
// scheduler uses it for transfer slots (priority = blob size, so the largest blobs start first and the
// tail is short), per-host slots and the bytes-in-flight budget.
//
// Contract: every successful `acquire` returns a release function that must be called exactly once
// (later calls are no-ops). The head waiter blocks the ones behind it even if they would fit, so a
// heavy waiter is never starved by a stream of light ones.

export interface AcquireOptions {
  /** Units taken; capped at the capacity so that an oversized request still runs (alone). */
  readonly weight?: number;
  /** Higher first. */
  readonly priority?: number;
  readonly signal?: AbortSignal | undefined;
}

export type Release = () => void;

export interface Semaphore {
  acquire(options?: AcquireOptions): Promise<Release>;
  /** Units free right now (for metrics and tests of the invariant, never for decisions). */
  readonly available: number;
  readonly waiting: number;
}

interface Waiter {
  readonly weight: number;
  readonly priority: number;
  readonly grant: (release: Release) => void;
}

export function createSemaphore(capacity: number): Semaphore {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`semaphore capacity must be ≥ 1, got ${capacity}`);
  let available = capacity;
  const waiters: Waiter[] = [];

  const releaser = (weight: number): Release => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      available += weight;
      drain();
    };
  };

  const drain = (): void => {
    while (waiters.length > 0) {
      const head = waiters[0];
      if (head === undefined || head.weight > available) return;
      waiters.shift();
      available -= head.weight;
      head.grant(releaser(head.weight));
    }
  };

  const insert = (waiter: Waiter): void => {
    // Keep the queue sorted: priority desc, then arrival order. Queues are short (bounded by jobs in
    // flight across copies), so a linear insert is enough.
    let i = waiters.length;
    while (i > 0) {
      const before = waiters[i - 1];
      if (before === undefined || before.priority >= waiter.priority) break;
      i--;
    }
    waiters.splice(i, 0, waiter);
  };

  return {
    get available() {
      return available;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(options: AcquireOptions = {}): Promise<Release> {
      const weight = Math.min(Math.max(options.weight ?? 1, 0), capacity);
      const signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (waiters.length === 0 && weight <= available) {
        available -= weight;
        return Promise.resolve(releaser(weight));
      }
      return new Promise<Release>((resolve, reject) => {
        const onAbort = (): void => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          // The head may have been blocking others that now fit.
          drain();
          reject(signal?.reason as Error);
        };
        const waiter: Waiter = {
          weight,
          priority: options.priority ?? 0,
          grant: (release) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        insert(waiter);
        drain();
      });
    },
  };
}
