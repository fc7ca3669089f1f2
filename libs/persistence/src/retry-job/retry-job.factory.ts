import { NO_LEASE } from './retry-job.repository';
import { RetryJobDocument, RetryJobStatus } from './retry-job.schema';

/**
 * A bulk retry as first stored: queued for one of its tenant's slots, held by no runner, nothing walked
 * or counted yet.
 */
export function newRetryJob(
  job: Pick<RetryJobDocument, '_id' | 'tenantId' | 'requestedBy' | 'filter'>,
  now: Date,
): RetryJobDocument {
  return {
    ...job,
    status: RetryJobStatus.Queued,
    matched: 0,
    queued: 0,
    delivered: 0,
    failed: 0,
    error: null,
    owner: null,
    leaseUntil: NO_LEASE,
    slotId: null,
    cursor: null,
    createdAt: now,
    updatedAt: now,
  };
}
