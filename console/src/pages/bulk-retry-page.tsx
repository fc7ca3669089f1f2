import { useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import { type BulkRetryFilter, EVENT_STATUSES, type EventStatus, type Page, type Webhook } from '../api/types';
import { ErrorMessage } from '../components/messages';
import { localInputToIso } from '../components/time';
import { useResource } from '../hooks/use-resource';
import { navigate } from '../router';

/** Starts a bulk retry (POST /v1/webhooks/events/retry) and moves on to the job's progress page. */
export function BulkRetryPage() {
  const webhooks = useResource('webhooks', () => api<Page<Webhook>>('/v1/webhooks', { query: { limit: 100 } }));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>('failed');

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const filter: BulkRetryFilter = {
      webhookId: text('webhookId'),
      status: text('status') as EventStatus | undefined,
      type: text('type'),
      from: localInputToIso(text('from') ?? ''),
      to: localInputToIso(text('to') ?? ''),
    };
    setBusy(true);
    setError(undefined);
    try {
      const job = await api<{ jobId: string }>('/v1/webhooks/events/retry', { method: 'POST', body: filter });
      navigate(`/retry-jobs/${job.jobId}`);
    } catch (failure) {
      setError(`The bulk retry was not started: ${messageOf(failure)}`);
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Bulk retry</h1>
      <p class="muted">
        Queues one manual retry for every matching event of this tenant, newest first. Leave a field empty to not filter
        on it.
      </p>
      <form class="card form-grid" onSubmit={submit}>
        <div class="field">
          <label for="bulk-webhook">Webhook</label>
          <select id="bulk-webhook" name="webhookId" disabled={!webhooks.data}>
            <option value="">Every subscribed webhook</option>
            {webhooks.data?.items.map((webhook) => (
              <option key={webhook.webhookId} value={webhook.webhookId}>
                {webhook.url}
                {webhook.active ? '' : ' (disabled)'}
              </option>
            ))}
          </select>
          {webhooks.error && <ErrorMessage>Could not list webhooks: {webhooks.error}</ErrorMessage>}
        </div>
        <div class="field">
          <label for="bulk-status">Event status</label>
          <select
            id="bulk-status"
            name="status"
            value={status}
            onChange={(event) => setStatus((event.target as HTMLSelectElement).value)}
          >
            <option value="">Any status</option>
            {EVENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="bulk-type">Event type</label>
          <input id="bulk-type" name="type" placeholder="invoice.paid" />
        </div>
        <div class="field">
          <label for="bulk-from">Created from</label>
          <input id="bulk-from" name="from" type="datetime-local" />
        </div>
        <div class="field">
          <label for="bulk-to">Created to</label>
          <input id="bulk-to" name="to" type="datetime-local" />
        </div>
        <ErrorMessage>{error}</ErrorMessage>
        <div class="field actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start bulk retry'}
          </button>
        </div>
      </form>
    </>
  );
}
