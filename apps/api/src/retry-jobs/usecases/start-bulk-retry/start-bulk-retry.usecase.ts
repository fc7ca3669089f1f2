import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { newRetryJob, RetryJobFilter, RetryJobRepository, RetryJobStatus, TenantId } from '@app/persistence';
import { GetWebhookUseCase } from '../../../webhooks/usecases/get-webhook/get-webhook.usecase';
import { BulkRetryRunner } from '../../bulk-retry.runner';
import { BulkRetryDto } from '../../dtos/bulk-retry.dto';
import { BulkRetryAcceptedDto } from '../../dtos/retry-job.dto';

export interface StartBulkRetryCommand {
  tenantId: TenantId;
  tokenId: string;
  filter: BulkRetryDto;
}

/**
 * Records the job, queued, and starts it in this process when its tenant has a free slot; the caller gets
 * the job id at once (202), with `running`, or `queued` when the job waits for a slot.
 */
@Injectable()
export class StartBulkRetryUseCase {
  private readonly logger = new Logger(StartBulkRetryUseCase.name);

  constructor(
    private readonly jobs: RetryJobRepository,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly runner: BulkRetryRunner,
  ) {}

  async execute(command: StartBulkRetryCommand): Promise<BulkRetryAcceptedDto> {
    const { tenantId, filter } = command;
    if (filter.webhookId) {
      const webhook = await this.getWebhook.execute({ tenantId, webhookId: filter.webhookId });
      if (!webhook.active) throw new ConflictException('Webhook is disabled');
    }
    const job = newRetryJob(
      { _id: randomUUID(), tenantId, requestedBy: command.tokenId, filter: storedFilter(filter) },
      new Date(),
    );
    await this.jobs.insert(job);
    // The job is stored: should starting it fail, a runner takes it up later, and the client must not
    // retry the POST (it would make a second job).
    const started = await this.runner.startNow(job).catch((error: Error) => {
      this.logger.warn({ jobId: job._id, tenantId, err: error }, 'Could not start a bulk retry at once');
      return false;
    });
    return { jobId: job._id, status: started ? RetryJobStatus.Running : RetryJobStatus.Queued };
  }
}

/** Only the fields that were given, so the stored filter reads back as the client sent it. */
function storedFilter(filter: BulkRetryDto): RetryJobFilter {
  return {
    ...(filter.webhookId ? { webhookId: filter.webhookId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.from ? { from: new Date(filter.from) } : {}),
    ...(filter.to ? { to: new Date(filter.to) } : {}),
  };
}
