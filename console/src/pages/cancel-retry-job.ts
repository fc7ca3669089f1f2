import { api } from '../api/client';
import type { RetryJob, RetryJobStatus } from '../api/types';

/** Only these can be cancelled; the API answers 409 for a job that already ended. */
export const isCancellable = (status: RetryJobStatus) => status === 'queued' || status === 'running';

export async function cancelRetryJob(jobId: string): Promise<string> {
  const job = await api<RetryJob>(`/v1/webhooks/retry-jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' });
  return `Cancelled job ${job.jobId}: ${job.queued} of ${job.matched} events were queued before it stopped.`;
}
