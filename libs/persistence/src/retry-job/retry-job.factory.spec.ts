import { newRetryJob } from './retry-job.factory';
import { NO_LEASE } from './retry-job.repository';
import { RetryJobStatus } from './retry-job.schema';

describe('newRetryJob', () => {
  it('is queued for a slot, held by no runner, with nothing walked or counted', () => {
    const now = new Date('2026-12-07T03:00:00Z');
    const job = newRetryJob({ _id: 'job-1', tenantId: 'tenant-1', requestedBy: 'token-1', filter: {} }, now);

    expect(job).toMatchObject({ _id: 'job-1', tenantId: 'tenant-1', requestedBy: 'token-1', filter: {} });
    expect(job).toMatchObject({ status: RetryJobStatus.Queued, owner: null, leaseUntil: NO_LEASE, slotId: null });
    expect([job.matched, job.queued, job.delivered, job.failed, job.cursor, job.error]).toEqual([
      0,
      0,
      0,
      0,
      null,
      null,
    ]);
    expect([job.createdAt, job.updatedAt]).toEqual([now, now]);
  });
});
