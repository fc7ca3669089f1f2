import type { DeliveryAttempt } from '../api/types';
import { Time } from '../components/time';

/** The attempts of an event, newest first: outcome, trigger, duration and what the endpoint answered. */
export function AttemptTimeline({ attempts, more }: { attempts: DeliveryAttempt[]; more: boolean }) {
  if (attempts.length === 0) return <p class="muted">No attempt yet.</p>;
  return (
    <>
      <ol class="timeline" aria-label="Delivery attempts, newest first">
        {attempts.map((attempt) => (
          <li
            key={attempt.attemptId}
            class={attempt.success ? 'attempt ok' : 'attempt bad'}
            data-outcome={attempt.success ? 'success' : 'failure'}
          >
            <div class="attempt-head">
              <strong class="attempt-outcome">
                {attempt.success ? 'Succeeded' : 'Failed'}: {attempt.statusCode ?? attempt.errorKind ?? 'no answer'}
              </strong>
              <span>
                <Time value={attempt.startedAt} />
              </span>
            </div>
            <div class="attempt-meta muted">
              <span>trigger: {attempt.trigger}</span>
              {attempt.requestedBy && <span>requested by: {attempt.requestedBy}</span>}
              <span>attempt #{attempt.attemptNumber}</span>
              <span>{attempt.durationMs} ms</span>
              <span class="break">{attempt.url}</span>
            </div>
            {attempt.errorMessage && <p class="attempt-error">{attempt.errorMessage}</p>}
            {attempt.responseBodyExcerpt && (
              <pre class="excerpt" aria-label="Response excerpt">
                {attempt.responseBodyExcerpt}
              </pre>
            )}
          </li>
        ))}
      </ol>
      {more && <p class="muted">Showing the newest {attempts.length} attempts.</p>}
    </>
  );
}
