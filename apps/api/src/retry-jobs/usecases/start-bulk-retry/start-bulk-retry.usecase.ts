import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { RetryJobDocument, RetryJobFilter, RetryJobRepository, RetryJobStatus, TenantId } from '@app/persistence';
import { GetWebhookUseCase } from '../../../webhooks/usecases/get-webhook/get-webhook.usecase';
import { BulkRetryRunner } from '../../bulk-retry.runner';
import { BulkRetryDto } from '../../dtos/bulk-retry.dto';
import { BulkRetryAcceptedDto } from '../../dtos/retry-job.dto';

export interface StartBulkRetryCommand {
  tenantId: TenantId;
  tokenId: string;
  filter: BulkRetryDto;
}

/** Records the job and hands it to the background runner; the caller gets the job id at once (202). */
@Injectable()
export class StartBulkRetryUseCase {
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
    const now = new Date();
    const job: RetryJobDocument = {
      _id: randomUUID(),
      tenantId,
      requestedBy: command.tokenId,
      filter: storedFilter(filter),
      status: RetryJobStatus.Running,
      matched: 0,
      queued: 0,
      delivered: 0,
      failed: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.jobs.insert(job);
    this.runner.start(job);
    return { jobId: job._id, status: job.status };
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
