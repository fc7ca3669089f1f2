import { Logger } from '@nestjs/common';

/**
 * sysexits.h's EX_CONFIG: the exit status of a start that failed on a setting, so a supervisor can be told
 * not to restart it (systemd `RestartPreventExitStatus=78`) while an outage still gets restarts.
 */
export const EXIT_CONFIGURATION = 78;

/** A start-up failure that restarting cannot fix; its message is one line naming the setting to change. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * For main.ts: logs why the start failed, as one fatal line, and exits non-zero. Nest holds an app's logs
 * (bufferLogs) until it listens; they are flushed first, or a failed start would exit without a word.
 */
export function exitOnStartFailure(error: unknown): never {
  const logger = new Logger('Startup');
  const configuration = error instanceof ConfigurationError;
  logger.fatal(
    configuration ? `Cannot start: ${error.message}` : `Start-up failed: ${(error as Error).stack ?? String(error)}`,
  );
  Logger.flush();
  process.exit(configuration ? EXIT_CONFIGURATION : 1);
}
