import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import type { EventSummary, Page, RotatedSecret, Webhook, WebhookSuccessRate } from '../api/types';
import { ErrorMessage, Loading, StaleNotice, StatusMessage } from '../components/messages';
import { currentCursor, firstPage, Pager, type PagerState } from '../components/pager';
import { SigningSecret } from '../components/signing-secret';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useAction } from '../hooks/use-action';
import { useResource } from '../hooks/use-resource';
import { href } from '../router';

const REFRESH_MS = 15_000;

interface WebhookRow extends Webhook {
  rate?: WebhookSuccessRate;
}

/**
 * Webhooks with their 24 h success rate; enable, disable, send a test event, rotate the signing secret,
 * and links to create and edit (and delete) them. `deleted` is the URL of a webhook just deleted.
 */
export function WebhooksPage({ deleted }: { deleted?: string | null }) {
  const [pager, setPager] = useState<PagerState>(firstPage);
  const cursor = currentCursor(pager);
  const webhooks = useResource(cursor ?? 'first', () => loadWebhooks(cursor), REFRESH_MS);
  const [action, perform, clearAction] = useAction();
  const [confirmRotate, setConfirmRotate] = useState<string | null>(null);
  const [secret, setSecret] = useState<RotatedSecret & { url: string }>();
  const [testEventId, setTestEventId] = useState<string>();

  const setActive = (webhook: Webhook, active: boolean) =>
    perform(async () => {
      setTestEventId(undefined);
      await api<Webhook>(`/v1/webhooks/${webhook.webhookId}`, { method: 'PATCH', body: { active } });
      await webhooks.reload();
      return `${active ? 'Enabled' : 'Disabled'} ${webhook.url}`;
    });

  const sendTest = (webhook: Webhook) =>
    perform(async () => {
      setTestEventId(undefined);
      const event = await api<EventSummary>(`/v1/webhooks/${webhook.webhookId}/test`, { method: 'POST' });
      setTestEventId(event.eventId);
      return `Sent a test event to ${webhook.url}`;
    });

  const rotate = (webhook: Webhook) =>
    perform(async () => {
      setTestEventId(undefined);
      setConfirmRotate(null);
      const rotated = await api<RotatedSecret>(`/v1/webhooks/${webhook.webhookId}/secret/rotate`, { method: 'POST' });
      setSecret({ ...rotated, url: webhook.url });
      return `Rotated the secret of ${webhook.url}`;
    });

  return (
    <>
      <h1>Webhooks</h1>
      <p>
        <a class="button primary" href={href('/webhooks/new')}>
          New webhook
        </a>
      </p>
      {deleted && !action.message && <StatusMessage kind="ok">Deleted {deleted}</StatusMessage>}
      {action.message && (
        <StatusMessage kind={action.message.kind}>
          {action.message.text}
          {action.message.kind === 'ok' && testEventId && (
            <>
              {' '}
              <a href={href(`/events/${testEventId}`)}>Follow its delivery</a>
            </>
          )}
        </StatusMessage>
      )}
      {secret && (
        <RotatedSecretPanel
          secret={secret}
          onDismiss={() => {
            setSecret(undefined);
            clearAction();
          }}
        />
      )}
      {webhooks.data === undefined && webhooks.error && (
        <ErrorMessage>Could not load webhooks: {webhooks.error}</ErrorMessage>
      )}
      {webhooks.data !== undefined && <StaleNotice error={webhooks.error} loadedAt={webhooks.loadedAt} />}
      {webhooks.data === undefined && !webhooks.error && <Loading what="webhooks" />}
      {webhooks.data && webhooks.data.items.length === 0 && <p class="muted">No webhooks yet.</p>}
      {webhooks.data && webhooks.data.items.length > 0 && (
        <>
          {webhooks.data.ratesError && (
            <ErrorMessage>Could not load success rates: {webhooks.data.ratesError}</ErrorMessage>
          )}
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">State</th>
                  <th scope="col">Success, last 24 h</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {webhooks.data.items.map((webhook) => (
                  <tr key={webhook.webhookId}>
                    <td data-label="Endpoint">
                      <div class="break">{webhook.url}</div>
                      <div class="muted small">
                        {webhook.description && <span>{webhook.description} · </span>}
                        {webhook.eventTypes.length ? webhook.eventTypes.join(', ') : 'all event types'}
                        {webhook.fifo && ' · FIFO'}
                        {controlsOf(webhook).map((control) => ` · ${control}`)}
                      </div>
                    </td>
                    <td data-label="State">
                      <StatusBadge status={webhook.active ? 'active' : 'disabled'} />
                      {webhook.disabledReason && <div class="muted small">{webhook.disabledReason}</div>}
                    </td>
                    <td data-label="Success, last 24 h">
                      <SuccessRate rate={webhook.rate} />
                    </td>
                    <td data-label="Created">
                      <Time value={webhook.createdAt} />
                    </td>
                    <td data-label="Actions">
                      <div class="row-actions">
                        <a class="button" href={href(`/webhooks/${webhook.webhookId}`)}>
                          Edit<span class="visually-hidden"> {webhook.url}</span>
                        </a>
                        <button
                          type="button"
                          disabled={action.busy}
                          onClick={() => setActive(webhook, !webhook.active)}
                        >
                          {webhook.active ? 'Disable' : 'Enable'}
                          <span class="visually-hidden"> {webhook.url}</span>
                        </button>
                        {webhook.active && (
                          <button type="button" disabled={action.busy} onClick={() => sendTest(webhook)}>
                            Send test event<span class="visually-hidden"> to {webhook.url}</span>
                          </button>
                        )}
                        {confirmRotate === webhook.webhookId ? (
                          <RotateConfirm
                            busy={action.busy}
                            onConfirm={() => rotate(webhook)}
                            onCancel={() => setConfirmRotate(null)}
                          />
                        ) : (
                          <button
                            type="button"
                            disabled={action.busy}
                            onClick={() => setConfirmRotate(webhook.webhookId)}
                          >
                            Rotate secret<span class="visually-hidden"> of {webhook.url}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={webhooks.data.nextCursor} onChange={setPager} label="Webhook list" />
        </>
      )}
    </>
  );
}

async function loadWebhooks(cursor: string | undefined): Promise<Page<WebhookRow> & { ratesError?: string }> {
  const page = await api<Page<Webhook>>('/v1/webhooks', { query: { limit: 50, cursor } });
  if (page.items.length === 0) return page;
  try {
    const rates = await api<{ items: WebhookSuccessRate[] }>('/v1/stats/webhook-success-rates', {
      query: { webhookIds: page.items.map(({ webhookId }) => webhookId).join(',') },
    });
    const byId = new Map(rates.items.map((rate) => [rate.webhookId, rate]));
    return { ...page, items: page.items.map((webhook) => ({ ...webhook, rate: byId.get(webhook.webhookId) })) };
  } catch (error) {
    // The list is still worth showing without its rates.
    return { ...page, ratesError: messageOf(error) };
  }
}

/** The endpoint controls that are set, in a few words each. */
function controlsOf(webhook: Webhook): string[] {
  const headerCount = Object.keys(webhook.headers ?? {}).length;
  return [
    webhook.rateLimit ? `at most ${webhook.rateLimit}/s` : '',
    webhook.timeout ? `timeout ${webhook.timeout} ms` : '',
    headerCount ? `${headerCount} header${headerCount === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
}

function SuccessRate({ rate }: { rate?: WebhookSuccessRate }) {
  if (!rate) return <span class="muted">—</span>;
  if (rate.successRate === null) return <span class="muted">no attempts</span>;
  const percent = Math.round(rate.successRate * 1000) / 10;
  const tone = percent >= 99 ? 'ok' : percent >= 90 ? 'warn' : 'bad';
  return (
    <span>
      <strong class={`rate rate-${tone}`}>{percent} %</strong>{' '}
      <span class="muted">
        ({rate.succeeded} of {rate.attempts} attempts)
      </span>
    </span>
  );
}

/** Rotation cannot be undone, so it takes a second press; focus moves to it for keyboard users. */
function RotateConfirm({ busy, onConfirm, onCancel }: { busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <span class="confirm" role="group" aria-label="Confirm secret rotation">
      <span>The previous secret keeps signing during the grace period.</span>
      <button type="button" class="danger" ref={confirm} disabled={busy} onClick={onConfirm}>
        Rotate now
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </span>
  );
}

function RotatedSecretPanel({ secret, onDismiss }: { secret: RotatedSecret & { url: string }; onDismiss: () => void }) {
  return (
    <SigningSecret
      heading="New signing secret"
      url={secret.url}
      secret={secret.secret}
      dismissLabel="I stored it, hide the secret"
      onDismiss={onDismiss}
    >
      {secret.previousSecretExpiresAt && (
        <p class="muted">
          The previous secret keeps signing until <Time value={secret.previousSecretExpiresAt} />.
        </p>
      )}
    </SigningSecret>
  );
}
