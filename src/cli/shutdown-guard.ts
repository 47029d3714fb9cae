// A process concern of the commands that run the controllers (`lifeboat run`, `lifeboat dev`).
import type { Logger } from 'pino';

/**
 * Call when shutdown starts. undici 8 can emit 'error' with no listener on an HTTP/2 stream (a watch
 * just aborted by its informer) when the agent's session closes under it: a ClientDestroyedError
 * that would end a clean shutdown with exit 1. Only that error, and only while shutting down, is
 * absorbed; any other uncaught exception still exits 1.
 */
export function absorbDestroyedStreams(logger: Logger): void {
  process.on('uncaughtException', (err: Error & { code?: string }) => {
    if (err.code === 'UND_ERR_DESTROYED') return void logger.debug({ err }, 'stream closed with its agent');
    logger.fatal({ err }, 'uncaught exception during shutdown');
    process.exit(1);
  });
}
