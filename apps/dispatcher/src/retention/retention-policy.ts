import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';

/** Documents read and deleted per round and collection: one round's delete is over in milliseconds. */
export const RETENTION_ROUND_SIZE = 500;
/**
 * Pause between full rounds, so that a backlog (the first pass over a database that kept everything) is
 * worked off in the background, at most about 500 documents a second per collection, never stalling delivery.
 */
export const RETENTION_ROUND_PAUSE_MS = 1_000;
/** How often a pass runs: the ages are days, so a document deleted an hour late costs nothing. */
export const RETENTION_PASS_INTERVAL_MS = 60 * 60_000;
/** The first pass waits until a starting dispatcher has joined its group and worked off any backlog. */
export const RETENTION_FIRST_PASS_DELAY_MS = 5 * 60_000;
/** Delivery claims are kept this long to de-duplicate redelivered commands, then purged. */
export const TASK_RETENTION_MS = 7 * 24 * 3_600_000;

/** The API's shared rate-limit counts are per minute; an hour leaves room for clocks that disagree. */
export const RATE_LIMIT_WINDOW_RETENTION_MS = 3_600_000;

/** How long each collection is kept (0 = forever), and how the purge paces itself. */
@Injectable()
export class RetentionPolicy {
  readonly eventsMs: number;
  readonly attemptsMs: number;
  readonly retryJobsMs: number;
  readonly tasksMs: number = TASK_RETENTION_MS;
  readonly rateLimitWindowsMs: number = RATE_LIMIT_WINDOW_RETENTION_MS;
  readonly roundSize: number = RETENTION_ROUND_SIZE;
  readonly roundPauseMs: number = RETENTION_ROUND_PAUSE_MS;

  constructor(config: AppConfig) {
    this.eventsMs = config.durationMs('RETENTION_EVENTS');
    this.attemptsMs = config.durationMs('RETENTION_ATTEMPTS');
    this.retryJobsMs = config.durationMs('RETENTION_RETRY_JOBS');
  }
}
