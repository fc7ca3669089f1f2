import { RetryJobDocument, RetryJobStatus } from '@app/persistence';
import { RetryJobDto } from './dtos/retry-job.dto';

/**
 * A job as the API shows it. Before jobs were resumable, `queued` meant "every event queued"; those jobs
 * (the ones without a lease) read as `completed`.
 */
export function toRetryJobDto(job: RetryJobDocument): RetryJobDto {
  const finishedBeforeLeases = job.status === RetryJobStatus.Queued && job.leaseUntil === undefined;
  return {
    jobId: job._id,
    status: finishedBeforeLeases ? RetryJobStatus.Completed : job.status,
    filter: job.filter,
    matched: job.matched,
    queued: job.queued,
    delivered: job.delivered,
    failed: job.failed,
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
