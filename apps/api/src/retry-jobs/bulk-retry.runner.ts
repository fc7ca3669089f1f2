import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { asTenantId, RetryJobDocument, RetryJobRepository, RetryJobStatus } from '@app/persistence';
import { RunBulkRetryUseCase } from './usecases/run-bulk-retry/run-bulk-retry.usecase';

/**
 * Runs bulk retries in the background of the API process, after the 202 is sent. On shutdown, running
 * jobs stop at the next page and are marked failed (before the Kafka producer closes, hence
 * beforeApplicationShutdown). A crashed process leaves its jobs "running"; what they queued is delivered.
 */
@Injectable()
export class BulkRetryRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BulkRetryRunner.name);
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly runBulkRetry: RunBulkRetryUseCase,
    private readonly jobs: RetryJobRepository,
  ) {}

  start(job: RetryJobDocument): void {
    const run = this.run(job).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  private async run(job: RetryJobDocument): Promise<void> {
    try {
      await this.runBulkRetry.execute(job, () => this.stopping);
      this.logger.log({ jobId: job._id, tenantId: job.tenantId }, 'Bulk retry queued');
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn({ jobId: job._id, tenantId: job.tenantId, err: error }, 'Bulk retry stopped early');
      await this.jobs
        .update(asTenantId(job.tenantId), job._id, { status: RetryJobStatus.Failed, error: message })
        .catch((updateError: Error) =>
          this.logger.error({ jobId: job._id, err: updateError }, 'Could not record that a bulk retry failed'),
        );
    }
  }
}
