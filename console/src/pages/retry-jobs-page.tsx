import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Page, RetryJob } from '../api/types';
import { ErrorMessage, Loading, StaleNotice, StatusMessage } from '../components/messages';
import { currentCursor, firstPage, Pager, type PagerState } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useAction } from '../hooks/use-action';
import { useResource } from '../hooks/use-resource';
import { href } from '../router';
import { cancelRetryJob, isCancellable } from './cancel-retry-job';

const POLL_MS = 5_000;

/** The tenant's bulk retry jobs, newest first, with their progress; queued and running ones can be cancelled. */
export function RetryJobsPage() {
  const [pager, setPager] = useState<PagerState>(firstPage);
  const cursor = currentCursor(pager);
  const jobs = useResource(
    cursor ?? 'first',
    () => api<Page<RetryJob>>('/v1/webhooks/retry-jobs', { query: { limit: 25, cursor } }),
    POLL_MS,
  );
  const [action, perform] = useAction();

  const cancel = (job: RetryJob) =>
    perform(async () => {
      try {
        return await cancelRetryJob(job.jobId);
      } finally {
        await jobs.reload();
      }
    });

  return (
    <>
      <h1>Bulk retry jobs</h1>
      <p>
        <a href={href('/bulk-retry')}>Start a bulk retry</a>
      </p>
      {action.message && <StatusMessage kind={action.message.kind}>{action.message.text}</StatusMessage>}
      {jobs.data === undefined && jobs.error && <ErrorMessage>Could not load jobs: {jobs.error}</ErrorMessage>}
      {jobs.data !== undefined && <StaleNotice error={jobs.error} loadedAt={jobs.loadedAt} />}
      {jobs.data === undefined && !jobs.error && <Loading what="jobs" />}
      {jobs.data && jobs.data.items.length === 0 && <p class="muted">No bulk retries yet.</p>}
      {jobs.data && jobs.data.items.length > 0 && (
        <>
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">Queued / matched</th>
                  <th scope="col">Attempts ok / failed</th>
                  <th scope="col">Filter</th>
                  <th scope="col">Started</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.items.map((job) => (
                  <tr key={job.jobId}>
                    <td data-label="Job">
                      <a class="mono small" href={href(`/retry-jobs/${job.jobId}`)}>
                        {job.jobId}
                      </a>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={job.status} />
                    </td>
                    <td data-label="Queued / matched">
                      {job.queued} / {job.matched}
                    </td>
                    <td data-label="Attempts ok / failed">
                      {job.delivered} / {job.failed}
                    </td>
                    <td data-label="Filter" class="small">
                      {describeFilter(job)}
                    </td>
                    <td data-label="Started">
                      <Time value={job.createdAt} />
                    </td>
                    <td data-label="Actions">
                      {isCancellable(job.status) && (
                        <button type="button" disabled={action.busy} onClick={() => cancel(job)}>
                          Cancel<span class="visually-hidden"> job {job.jobId}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={jobs.data.nextCursor} onChange={setPager} label="Job list" />
        </>
      )}
    </>
  );
}

export function describeFilter(job: RetryJob): string {
  const filter = Object.entries(job.filter).filter(([, value]) => value !== undefined && value !== null);
  return filter.length ? filter.map(([key, value]) => `${key}=${String(value)}`).join(', ') : 'all events';
}
