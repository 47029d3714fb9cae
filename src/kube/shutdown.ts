import { pino, type Logger } from 'pino';

/**
 * Graceful shutdown on SIGTERM/SIGINT: the first signal runs `handler` once (stop taking work,
 * drain, release the lease) and arms a forced `exit(1)` after `timeoutMs`, so a stuck drain cannot
 * outlive the pod's grace period. A second signal exits at once. A handler that throws exits 1.
 * When the handler finishes, the process ends by itself once nothing keeps it alive.
 */
export interface ShutdownOptions {
  /** Kubernetes' default terminationGracePeriodSeconds is 30 s. */
  timeoutMs?: number;
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
  const logger = options.logger ?? pino({ level: 'silent' });
  const proc: SignalSource = options.process ?? process;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signalled = false;

  const onSignal = (): void => {
    if (signalled) {
      logger.warn('second shutdown signal: exiting now');
      proc.exit(1);
      return;
    }
    signalled = true;
    logger.info({ timeoutMs }, 'shutting down');
    timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      proc.exit(1);
    }, timeoutMs);
    // The timer is a safety net, not a reason to stay alive.
    timer.unref();
    Promise.resolve()
      .then(handler)
      .then(
        () => logger.info('shutdown complete'),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
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
