import { Injectable, NotFoundException } from '@nestjs/common';
import { RetryJobRepository, TenantId } from '@app/persistence';
import { RetryJobDto } from '../../dtos/retry-job.dto';
import { toRetryJobDto } from '../../retry-job-view';

export interface GetRetryJobCommand {
  tenantId: TenantId;
  jobId: string;
}

@Injectable()
export class GetRetryJobUseCase {
  constructor(private readonly jobs: RetryJobRepository) {}

  async execute(command: GetRetryJobCommand): Promise<RetryJobDto> {
    const job = await this.jobs.findById(command.tenantId, command.jobId);
    if (!job) throw new NotFoundException('Retry job not found');
    return toRetryJobDto(job);
  }
}
