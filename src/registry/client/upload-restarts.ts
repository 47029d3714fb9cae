// When to restart a failed upload. The transport sends a streamed body once, since it cannot replay
// it (transport.ts); a caller whose upload failed restarts it with a fresh body, and asks the target's
// client whether and when. This is that answer, so the copy engine needs nothing of the transport.
import { isTemporary, TooManyRequestsError } from '../model/errors.ts';
import { DEFAULT_RETRY_POLICY, retryDelay } from '../transport/retry.ts';
import { sleep as abortableSleep } from '../../common/sleep.ts';
import type { RegistryClient } from '../model/types.ts';

export interface UploadRestartOptions {
  /** Jitter source in [0, 1). */
  readonly random?: (() => number) | undefined;
  /** How to wait; must reject with the signal's reason when it aborts. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/**
 * `RegistryClient.waitToRestartUpload`. Budget and timing are DEFAULT_RETRY_POLICY's, not the
 * client's `retry` option: that paces the transport's retries of one request, while a restart is a
 * whole new upload (a fresh source read and session), so a client tuned for few request retries
 * still restarts uploads as often. The waits go through the client's `sleep` and jitter.
 */
export function createUploadRestartWait(
  options: UploadRestartOptions = {},
): RegistryClient['waitToRestartUpload'] {
  const policy = DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  return async (failures, error, callOptions) => {
    callOptions?.signal?.throwIfAborted();
    if (failures >= policy.attempts) return false;
    if (!isTemporary(error)) return true;
    const retryAfterMs = error instanceof TooManyRequestsError ? error.retryAfterMs : undefined;
    await sleep(retryDelay(failures, policy, retryAfterMs, random), callOptions?.signal);
    return true;
  };
}
