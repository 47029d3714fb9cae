import type { Logger } from 'pino';

/**
 * The one signal handler of lifeboat (the controller process, `lifeboat copy`, `lifeboat dev`):
 * - the first SIGTERM or SIGINT runs `handler` once: the graceful path (stop taking work, drain,
 *   release the lease; abort a copy; tear the dev environment down);
 * - it also arms a forced `exit(1)` after `timeoutMs`, so a stuck drain cannot outlive the pod's
 *   grace period (`Infinity`: never, for commands a person runs and can interrupt again);
 * - a second signal exits 1 at once; a handler that throws or rejects exits 1.
 * When the handler finishes, the process ends by itself once nothing keeps it alive. Until the
 * returned disposer runs, Node's default (die on the signal) is replaced by these rules.
 */
export interface ShutdownOptions {
  /** Kubernetes' default terminationGracePeriodSeconds is 30 s. `Infinity`: no forced exit. */
  timeoutMs?: number;
  /** Missing: log nothing. */
  logger?: Logger;
  /** Where signals come from and how to exit: the real process unless a test injects one. */
  process?: SignalSource;
}

export interface SignalSource {
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Returns a disposer that removes the listeners and cancels a pending forced exit. */
export function onShutdownSignal(
  handler: () => void | Promise<void>,
  options: ShutdownOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const logger = options.logger;
  const proc: SignalSource = options.process ?? process;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signalled = false;

  const onSignal = (): void => {
    if (signalled) {
      logger?.warn('second shutdown signal: exiting now');
      proc.exit(1);
      return;
    }
    signalled = true;
    logger?.info({ timeoutMs }, 'shutting down');
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        logger?.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
        proc.exit(1);
      }, timeoutMs);
      // The timer is a safety net, not a reason to stay alive.
      timer.unref();
    }
    Promise.resolve()
      .then(handler)
      .then(
        () => logger?.info('shutdown complete'),
        (err: unknown) => {
          logger?.error({ err }, 'shutdown failed');
          proc.exit(1);
        },
      );
  };

  for (const s of SIGNALS) proc.on(s, onSignal);
  return () => {
    for (const s of SIGNALS) proc.off(s, onSignal);
    clearTimeout(timer);
  };
}
