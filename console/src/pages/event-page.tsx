import { useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import type { DeliveryAttempt, EventDeliveryStatus, EventDetail, Page, RetryResult } from '../api/types';
import { ErrorMessage, Loading, StaleNotice, StatusMessage } from '../components/messages';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useAction } from '../hooks/use-action';
import { useResource } from '../hooks/use-resource';
import { href } from '../router';
import { AttemptTimeline } from './attempt-timeline';
import { WebhookDeliveries } from './webhook-deliveries';

/** Fast enough that a retry's attempt shows up while the operator is still looking. */
const POLL_MS = 2_000;
const ATTEMPTS_SHOWN = 100;

/** One event: payload, per-webhook delivery state, attempt timeline, and the retry buttons. */
export function EventPage({ eventId }: { eventId: string }) {
  const base = `/v1/webhooks/events/${encodeURIComponent(eventId)}`;
  const event = useResource(eventId, () => api<EventDetail>(base));
  const status = useResource(eventId, () => api<EventDeliveryStatus>(`${base}/status`), POLL_MS);
  const attempts = useResource(
    eventId,
    () => api<Page<DeliveryAttempt>>(`${base}/logs`, { query: { limit: ATTEMPTS_SHOWN } }),
    POLL_MS,
  );
  const [retry, perform] = useAction();
  const [retryingWebhook, setRetryingWebhook] = useState<string | null>(null);

  const retryTo = (webhookId?: string) => {
    setRetryingWebhook(webhookId ?? 'all');
    // The outcome shows in the Retry box; say which button it answers.
    const target = webhookId
      ? `Retry to ${status.data?.webhooks.find((each) => each.webhookId === webhookId)?.url ?? webhookId}`
      : 'Retry to all webhooks';
    return perform(async () => {
      try {
        const result = await api<RetryResult>(`${base}/retry`, {
          method: 'POST',
          body: webhookId ? { webhookId } : undefined,
        });
        void status.reload();
        void attempts.reload();
        return `${target}: ${result.message}`;
      } catch (error) {
        throw new Error(`${target}: ${messageOf(error)}`);
      } finally {
        setRetryingWebhook(null);
      }
    });
  };

  if (event.data === undefined) {
    return (
      <>
        <p>
          <a href={href('/events')}>← Events</a>
        </p>
        <h1>Event</h1>
        {event.error ? (
          <ErrorMessage>
            Could not load event {eventId}: {event.error}
          </ErrorMessage>
        ) : (
          <Loading what="the event" />
        )}
      </>
    );
  }

  const current = status.data?.status ?? event.data.status;
  return (
    <>
      <p>
        <a href={href('/events')}>← Events</a>
      </p>
      <h1>
        {event.data.type} <StatusBadge status={current} />
      </h1>
      <dl class="facts">
        <dt>Event id</dt>
        <dd class="mono">{event.data.eventId}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={event.data.createdAt} />
        </dd>
        <dt>Idempotency key</dt>
        <dd class="mono">{event.data.idempotencyKey}</dd>
      </dl>

      <section aria-labelledby="retry-heading" class="card">
        <h2 id="retry-heading">Retry</h2>
        <p class="muted">Queues one extra attempt now; a success cancels the pending automatic retries.</p>
        <button type="button" class="primary" disabled={retry.busy} onClick={() => retryTo()}>
          {retryingWebhook === 'all' ? 'Retrying…' : 'Retry to all webhooks'}
        </button>
        {retry.message && <StatusMessage kind={retry.message.kind}>{retry.message.text}</StatusMessage>}
      </section>

      <section aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Webhooks</h2>
        <StaleNotice error={status.error} loadedAt={status.loadedAt} />
        {status.data ? (
          <WebhookDeliveries
            deliveries={status.data.webhooks}
            busy={retry.busy}
            retryingWebhook={retryingWebhook}
            onRetry={retryTo}
          />
        ) : (
          !status.error && <Loading what="delivery status" />
        )}
      </section>

      <section aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Attempts</h2>
        <StaleNotice error={attempts.error} loadedAt={attempts.loadedAt} />
        {attempts.data ? (
          <AttemptTimeline attempts={attempts.data.items} more={attempts.data.nextCursor !== null} />
        ) : (
          !attempts.error && <Loading what="attempts" />
        )}
      </section>

      <section aria-labelledby="payload-heading">
        <h2 id="payload-heading">Payload</h2>
        <pre class="payload" tabIndex={0} aria-label="Event payload as JSON">
          {JSON.stringify(event.data.payload, null, 2)}
        </pre>
      </section>
    </>
  );
}
