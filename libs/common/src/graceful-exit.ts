import { INestApplicationContext, Logger } from '@nestjs/common';

/** A shutdown that takes longer than this is stuck; exiting non-zero lets the supervisor see it. */
export const HARD_STOP_AFTER_MS = 45_000;

/**
 * SIGTERM/SIGINT close the app (its shutdown hooks drain work), then exit 0. Nest's own
 * enableShutdownHooks re-raises the signal after closing, which supervisors report as a kill even when
 * the drain was clean.
 */
export function exitGracefullyOnSignals(app: INestApplicationContext): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received, draining`);
    setTimeout(() => {
      logger.error(`Shutdown still running after ${HARD_STOP_AFTER_MS} ms, exiting`);
      process.exit(1);
    }, HARD_STOP_AFTER_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
