import { Injectable } from '@nestjs/common';
import { Page, RetryJobRepository, TenantId } from '@app/persistence';
import { cursorPosition } from '../../../http/page-query.dto';
import { RetryJobDto } from '../../dtos/retry-job.dto';
import { toRetryJobDto } from '../../retry-job-view';

export interface ListRetryJobsCommand {
  tenantId: TenantId;
  limit: number;
  cursor?: string;
}

/** The tenant's bulk retry jobs, newest first, whatever their status. */
@Injectable()
export class ListRetryJobsUseCase {
  constructor(private readonly jobs: RetryJobRepository) {}

  async execute(command: ListRetryJobsCommand): Promise<Page<RetryJobDto>> {
    const page = await this.jobs.findPage(command.tenantId, cursorPosition(command.cursor), command.limit);
    return { items: page.items.map(toRetryJobDto), nextCursor: page.nextCursor };
  }
}
