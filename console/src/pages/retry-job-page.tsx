import { api } from '../api/client';
import type { RetryJob, RetryJobStatus } from '../api/types';
import { ErrorMessage, Loading, StaleNotice, StatusMessage } from '../components/messages';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useAction } from '../hooks/use-action';
import { useResource } from '../hooks/use-resource';
import { href } from '../router';
import { cancelRetryJob, isCancellable } from './cancel-retry-job';
import { describeFilter } from './retry-jobs-page';

const POLL_MS = 2_000;

const STATUS_NOTES: Record<RetryJobStatus, string> = {
  queued: 'Waiting: the tenant already runs as many bulk retries as it may at once.',
  running: 'Still walking the matching events…',
  completed: 'Every matching event is queued; the attempt counts keep growing as deliveries finish.',
  cancelled: 'Cancelled: the events queued before still get their attempts.',
  failed: 'Stopped early: the events queued before still get their attempts.',
};

/** Progress of a bulk retry: events matched and queued, then the attempts' outcomes as they arrive. */
export function RetryJobPage({ jobId }: { jobId: string }) {
  const job = useResource(jobId, () => api<RetryJob>(`/v1/webhooks/retry-jobs/${encodeURIComponent(jobId)}`), POLL_MS);
  const [action, perform] = useAction();
  const cancel = () =>
    perform(async () => {
      try {
        return await cancelRetryJob(jobId);
      } finally {
        await job.reload();
      }
    });
  return (
    <>
      <p>
        <a href={href('/retry-jobs')}>← Bulk retry jobs</a> · <a href={href('/bulk-retry')}>New bulk retry</a>
      </p>
      <h1>Bulk retry job</h1>
      {job.data === undefined && job.error && (
        <ErrorMessage>
          Could not load job {jobId}: {job.error}
        </ErrorMessage>
      )}
      {job.data === undefined && !job.error && <Loading what="the job" />}
      {job.data && (
        <>
          <StaleNotice error={job.error} loadedAt={job.loadedAt} />
          {action.message && <StatusMessage kind={action.message.kind}>{action.message.text}</StatusMessage>}
          <JobProgress job={job.data} />
          {isCancellable(job.data.status) && (
            <button type="button" disabled={action.busy} onClick={cancel}>
              Cancel job
            </button>
          )}
        </>
      )}
    </>
  );
}

function JobProgress({ job }: { job: RetryJob }) {
  return (
    <section class="card" aria-live="polite">
      <p>
        <StatusBadge status={job.status} /> <span class="mono small">{job.jobId}</span>
      </p>
      {job.error && <ErrorMessage>The job stopped early: {job.error}</ErrorMessage>}
      <div class="field">
        <label for="job-progress">
          Queued {job.queued} of {job.matched} matching events
        </label>
        <progress id="job-progress" max={Math.max(job.matched, 1)} value={job.queued} />
      </div>
      <dl class="facts">
        <dt>Matched</dt>
        <dd>{job.matched}</dd>
        <dt>Queued</dt>
        <dd>{job.queued}</dd>
        <dt>Successful attempts</dt>
        <dd>{job.delivered}</dd>
        <dt>Failed attempts</dt>
        <dd>{job.failed}</dd>
        <dt>Filter</dt>
        <dd>{describeFilter(job)}</dd>
        <dt>Started</dt>
        <dd>
          <Time value={job.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time value={job.updatedAt} />
        </dd>
      </dl>
      <p class="muted">{STATUS_NOTES[job.status]}</p>
    </section>
  );
}
