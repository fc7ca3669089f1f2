import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PurgeExpiredUseCase } from './purge-expired.usecase';
import { RETENTION_FIRST_PASS_DELAY_MS, RETENTION_PASS_INTERVAL_MS } from './retention-policy';

/** Runs a retention pass every RETENTION_PASS_INTERVAL_MS, counted from the end of the last one. */
@Injectable()
export class RetentionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionRunner.name);
  private readonly stop = new AbortController();
  private timer?: NodeJS.Timeout;
  private pass: Promise<void> = Promise.resolve();

  constructor(private readonly purgeExpired: PurgeExpiredUseCase) {}

  onApplicationBootstrap(): void {
    this.schedule(RETENTION_FIRST_PASS_DELAY_MS);
  }

  // Before shutdown, not on it: the round under way still needs the database connection.
  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(delayMs: number): void {
    if (this.stop.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.pass = this.run().finally(() => this.schedule(RETENTION_PASS_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    try {
      const counts = await this.purgeExpired.execute({ now: new Date(), signal: this.stop.signal });
      const deleted = Object.entries(counts).filter(([, count]) => count > 0);
      if (deleted.length > 0) {
        this.logger.log(`Retention deleted ${deleted.map(([name, count]) => `${count} ${name}`).join(', ')}`);
      }
    } catch (error) {
      this.logger.warn(`Retention pass failed, next in an hour: ${(error as Error).message}`);
    }
  }
}
