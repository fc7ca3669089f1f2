import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { RetryJobRepository, RetryJobSlotRepository, RetryJobStatus, TenantId } from '@app/persistence';
import { RetryJobDto } from '../../dtos/retry-job.dto';
import { toRetryJobDto } from '../../retry-job-view';

export interface CancelRetryJobCommand {
  tenantId: TenantId;
  jobId: string;
}

/**
 * Stops a queued or running job. Its runner notices at its next page (its progress write, conditional on
 * the job still running, matches nothing), so at most the page in flight is still published. Cancelling a
 * cancelled job answers it again; a job that already ended is a 409.
 */
@Injectable()
export class CancelRetryJobUseCase {
  constructor(
    private readonly jobs: RetryJobRepository,
    private readonly slots: RetryJobSlotRepository,
  ) {}

  async execute(command: CancelRetryJobCommand): Promise<RetryJobDto> {
    const cancelled = await this.jobs.cancel(command.tenantId, command.jobId);
    if (cancelled) {
      if (cancelled.slotId) await this.slots.release(cancelled.slotId, cancelled._id);
      return toRetryJobDto(cancelled);
    }
    const job = await this.jobs.findById(command.tenantId, command.jobId);
    if (!job) throw new NotFoundException('Retry job not found');
    const view = toRetryJobDto(job);
    if (view.status !== RetryJobStatus.Cancelled) throw new ConflictException(`Retry job is already ${view.status}`);
    return view;
  }
}
