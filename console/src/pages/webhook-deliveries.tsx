import type { WebhookDeliveryStatus } from '../api/types';
import { StatusBadge } from '../components/status-badge';
import { relativeTime, Time } from '../components/time';

/** One row per target webhook of an event: its state, last outcome, next automatic retry, and a retry button. */
export function WebhookDeliveries({
  deliveries,
  busy,
  retryingWebhook,
  onRetry,
}: {
  deliveries: WebhookDeliveryStatus[];
  busy: boolean;
  retryingWebhook: string | null;
  onRetry: (webhookId: string) => void;
}) {
  if (deliveries.length === 0) return <p class="muted">No webhook was subscribed to this event when it was created.</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Webhook</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last outcome</th>
            <th scope="col">Next retry</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.webhookId}>
              <td data-label="Webhook" class="break">
                {delivery.url}
              </td>
              <td data-label="State">
                <StatusBadge status={delivery.status} />
              </td>
              <td data-label="Attempts">{delivery.attempts}</td>
              <td data-label="Last outcome">
                {delivery.lastStatusCode ?? delivery.lastErrorKind ?? <span class="muted">—</span>}
                {delivery.lastAttemptAt && (
                  <>
                    {' '}
                    <span class="muted">({relativeTime(delivery.lastAttemptAt)})</span>
                  </>
                )}
              </td>
              <td data-label="Next retry">
                {delivery.nextAttemptAt ? (
                  <>
                    <Time value={delivery.nextAttemptAt} />{' '}
                    <span class="muted">({relativeTime(delivery.nextAttemptAt)})</span>
                  </>
                ) : (
                  <span class="muted">none scheduled</span>
                )}
              </td>
              <td data-label="Actions">
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => onRetry(delivery.webhookId)}
                  aria-label={`Retry to this webhook (${delivery.url})`}
                >
                  {retryingWebhook === delivery.webhookId ? 'Retrying…' : 'Retry to this webhook'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
