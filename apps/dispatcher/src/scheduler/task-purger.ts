import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeliveryTaskRepository } from '@app/persistence';
import { TASK_RETENTION_MS } from '../delivery/delivery-policy';

const PURGE_INTERVAL_MS = 60 * 60_000;

/** Deletes old completed delivery claims (retention by a job: FerretDB has no TTL indexes). */
@Injectable()
export class TaskPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskPurger.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly tasks: DeliveryTaskRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async purge(): Promise<void> {
    try {
      const deleted = await this.tasks.purgeOlderThan(new Date(Date.now() - TASK_RETENTION_MS));
      if (deleted > 0) this.logger.log(`Purged ${deleted} completed delivery claims`);
    } catch (error) {
      this.logger.warn(`Purge failed: ${(error as Error).message}`);
    }
  }
}
