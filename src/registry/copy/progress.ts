// Progress of one copy, throttled: at most one event per interval while bytes flow, plus a final
// event when the copy ends. Time comes from an injected clock so tests need no timers.

export interface CopyProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly blobsDone: number;
  readonly blobsTotal: number;
}

export interface ProgressTracker {
  /** Adds work discovered while planning. */
  addTotal(bytes: number, blobs: number): void;
  /** Counts bytes moved; negative to take back the bytes of a failed attempt that will be redone. */
  addBytes(bytes: number): void;
  /** Marks a blob done (copied, mounted or found present); `bytes` not yet counted are counted now. */
  blobDone(bytes: number): void;
  /** Emits the last event regardless of the throttle. */
  finish(): void;
  snapshot(): CopyProgress;
}

export function createProgressTracker(options: {
  readonly onProgress?: ((progress: CopyProgress) => void) | undefined;
  readonly now: () => number;
  readonly intervalMs: number;
}): ProgressTracker {
  let bytesDone = 0;
  let bytesTotal = 0;
  let blobsDone = 0;
  let blobsTotal = 0;
  let last = Number.NEGATIVE_INFINITY;
  const snapshot = (): CopyProgress => ({ bytesDone, bytesTotal, blobsDone, blobsTotal });
  const emit = (force: boolean): void => {
    if (options.onProgress === undefined) return;
    const now = options.now();
    if (!force && now - last < options.intervalMs) return;
    last = now;
    options.onProgress(snapshot());
  };
  return {
    addTotal(bytes, blobs) {
      bytesTotal += bytes;
      blobsTotal += blobs;
      emit(false);
    },
    addBytes(bytes) {
      bytesDone += bytes;
      emit(false);
    },
    blobDone(bytes) {
      bytesDone += bytes;
      blobsDone += 1;
      emit(false);
    },
    finish() {
      emit(true);
    },
    snapshot,
  };
}
