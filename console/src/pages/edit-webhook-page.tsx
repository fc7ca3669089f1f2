import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Webhook, WebhookInput } from '../api/types';
import { ErrorMessage, Loading, StatusMessage } from '../components/messages';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useAction } from '../hooks/use-action';
import { useResource } from '../hooks/use-resource';
import { href, navigate } from '../router';
import { changedFields, WebhookForm, webhookInput } from './webhook-form';

const FIELD_NAMES: Record<keyof WebhookInput, string> = {
  url: 'endpoint URL',
  description: 'description',
  eventTypes: 'event types',
  active: 'active',
  fifo: 'FIFO',
  rateLimit: 'rate limit',
  timeout: 'timeout',
  headers: 'headers',
};

/** Edits a webhook (PATCH /v1/webhooks/{id}, only the changed fields) and deletes it. */
export function EditWebhookPage({ webhookId }: { webhookId: string }) {
  const path = `/v1/webhooks/${encodeURIComponent(webhookId)}`;
  const loaded = useResource(webhookId, () => api<Webhook>(path));
  // The answer of the last save; the form restarts from it.
  const [saved, setSaved] = useState<Webhook>();
  const [outcome, setOutcome] = useState<string>();
  const webhook = saved ?? loaded.data;

  const save = async (input: WebhookInput) => {
    if (!webhook) return;
    setOutcome(undefined);
    const changes = changedFields(webhookInput(webhook), input);
    if (Object.keys(changes).length === 0) {
      setOutcome('Nothing changed.');
      return;
    }
    setSaved(await api<Webhook>(path, { method: 'PATCH', body: changes }));
    setOutcome(
      `Saved ${Object.keys(changes)
        .map((field) => FIELD_NAMES[field as keyof WebhookInput])
        .join(', ')}.`,
    );
  };

  return (
    <>
      <p>
        <a href={href('/webhooks')}>← Webhooks</a>
      </p>
      <h1>Edit webhook</h1>
      {!webhook && loaded.error && (
        <ErrorMessage>
          Could not load webhook {webhookId}: {loaded.error}
        </ErrorMessage>
      )}
      {!webhook && !loaded.error && <Loading what="the webhook" />}
      {webhook && (
        <>
          <p>
            <StatusBadge status={webhook.active ? 'active' : 'disabled'} />{' '}
            <span class="mono small">{webhook.webhookId}</span>{' '}
            <span class="muted small">
              created <Time value={webhook.createdAt} />, updated <Time value={webhook.updatedAt} />
            </span>
          </p>
          {webhook.disabledReason && <p class="muted">Disabled: {webhook.disabledReason}</p>}
          {outcome && <StatusMessage kind="ok">{outcome}</StatusMessage>}
          <WebhookForm
            key={webhook.updatedAt}
            initial={webhookInput(webhook)}
            submitLabel="Save changes"
            busyLabel="Saving…"
            onSubmit={save}
          />
          <DeleteWebhook webhook={webhook} path={path} />
        </>
      )}
    </>
  );
}

/** Deleting stops deliveries for good, so it takes a second press. */
function DeleteWebhook({ webhook, path }: { webhook: Webhook; path: string }) {
  const [confirming, setConfirming] = useState(false);
  const [action, perform] = useAction();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);

  const remove = () =>
    perform(async () => {
      await api(path, { method: 'DELETE' });
      navigate('/webhooks', { deleted: webhook.url });
      return `Deleted ${webhook.url}`;
    });

  return (
    <section class="card danger-zone" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p class="muted">
        Deliveries to this endpoint stop, and the ones still open end as failed. Its events and delivery logs stay
        readable.
      </p>
      {action.message?.kind === 'error' && (
        <ErrorMessage>The webhook was not deleted: {action.message.text}</ErrorMessage>
      )}
      {confirming ? (
        <span class="confirm" role="group" aria-label="Confirm deletion">
          <span>
            Delete <span class="break">{webhook.url}</span>? This cannot be undone.
          </span>
          <button type="button" class="danger" ref={confirm} disabled={action.busy} onClick={remove}>
            Delete now
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete webhook
        </button>
      )}
    </section>
  );
}
