import { useState } from 'preact/hooks';
import { messageOf } from '../api/client';
import type { Webhook, WebhookInput } from '../api/types';
import { ErrorMessage } from '../components/messages';

export const NEW_WEBHOOK: WebhookInput = {
  url: '',
  description: '',
  eventTypes: [],
  active: true,
  fifo: false,
  rateLimit: null,
  timeout: null,
  headers: null,
};

/** A stored webhook as the form's starting point. */
export const webhookInput = (webhook: Webhook): WebhookInput => ({
  url: webhook.url,
  description: webhook.description,
  eventTypes: webhook.eventTypes,
  active: webhook.active,
  fifo: webhook.fifo,
  rateLimit: webhook.rateLimit ?? null,
  timeout: webhook.timeout ?? null,
  headers: webhook.headers && Object.keys(webhook.headers).length ? webhook.headers : null,
});

/** Event types as typed: separated by commas, spaces or new lines; none means every type. */
export const parseEventTypes = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** A number field: empty is null; anything else not a number goes to the API as typed, for its message. */
export const parseNumber = (text: string): number | string | null =>
  text === '' ? null : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;

/** `Name: value` per line; a line without a colon is a name without a value, which the API refuses by name. */
export function parseHeaders(text: string): Record<string, string> | null {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n').map((each) => each.trim())) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon < 0) headers[line] = '';
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return Object.keys(headers).length ? headers : null;
}

const formatHeaders = (headers: Record<string, string> | null): string =>
  Object.entries(headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

/**
 * The fields of a webhook, for create and edit. Each field is read back in `readForm`. The API is the one
 * validator (the form sets noValidate), so its message names what is wrong.
 */
export function WebhookForm({
  initial,
  submitLabel,
  busyLabel,
  onSubmit,
}: {
  initial: WebhookInput;
  submitLabel: string;
  busyLabel: string;
  /** Throws to show its message next to the button; the form stays as typed. */
  onSubmit: (input: WebhookInput) => Promise<void>;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(readForm(event.currentTarget as HTMLFormElement));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form-grid webhook-form" onSubmit={submit} noValidate>
      <div class="field wide">
        <label for="webhook-url">Endpoint URL</label>
        <input id="webhook-url" name="url" type="url" required defaultValue={initial.url} placeholder="https://" />
      </div>
      <div class="field wide">
        <label for="webhook-event-types">Event types</label>
        <input
          id="webhook-event-types"
          name="eventTypes"
          defaultValue={initial.eventTypes.join(', ')}
          placeholder="invoice.paid, invoice.failed"
          aria-describedby="webhook-event-types-hint"
        />
        <span id="webhook-event-types-hint" class="muted small">
          Separated by commas or spaces. Empty: every event type.
        </span>
      </div>
      <div class="field wide">
        <label for="webhook-description">Description</label>
        <input id="webhook-description" name="description" defaultValue={initial.description} />
      </div>
      <div class="field inline">
        <input id="webhook-active" name="active" type="checkbox" defaultChecked={initial.active} />
        <label for="webhook-active">Active</label>
        <span class="muted small">Only active webhooks get deliveries.</span>
      </div>
      <div class="field inline">
        <input id="webhook-fifo" name="fifo" type="checkbox" defaultChecked={initial.fifo} />
        <label for="webhook-fifo">FIFO</label>
        <span class="muted small">Deliver in event order; a failing event holds back later ones.</span>
      </div>
      <fieldset class="wide form-grid controls">
        <legend>Endpoint controls</legend>
        <div class="field">
          <label for="webhook-rate-limit">Rate limit (deliveries per second)</label>
          <input
            id="webhook-rate-limit"
            name="rateLimit"
            inputMode="numeric"
            defaultValue={initial.rateLimit === null ? '' : String(initial.rateLimit)}
            placeholder="unlimited"
          />
        </div>
        <div class="field">
          <label for="webhook-timeout">Timeout (milliseconds)</label>
          <input
            id="webhook-timeout"
            name="timeout"
            inputMode="numeric"
            defaultValue={initial.timeout === null ? '' : String(initial.timeout)}
            placeholder="the service's default"
          />
        </div>
        <div class="field wide">
          <label for="webhook-headers">Headers</label>
          <textarea
            id="webhook-headers"
            name="headers"
            rows={3}
            defaultValue={formatHeaders(initial.headers)}
            placeholder="Authorization: Bearer …"
            aria-describedby="webhook-headers-hint"
          />
          <span id="webhook-headers-hint" class="muted small">
            Sent with every delivery, one <code>Name: value</code> per line. Empty fields: no limit, the default
            timeout, no headers.
          </span>
        </div>
      </fieldset>
      <ErrorMessage>{error}</ErrorMessage>
      <div class="field actions wide">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}

function readForm(form: HTMLFormElement): WebhookInput {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  return {
    url: text('url'),
    description: text('description'),
    eventTypes: parseEventTypes(text('eventTypes')),
    active: data.get('active') !== null,
    fifo: data.get('fifo') !== null,
    rateLimit: parseNumber(text('rateLimit')),
    timeout: parseNumber(text('timeout')),
    headers: parseHeaders(String(data.get('headers') ?? '')),
  };
}

/**
 * What POST /v1/webhooks gets: the endpoint controls only when set, so an API without them (an older
 * release) still takes a webhook created without them.
 */
export function createBody(input: WebhookInput): Partial<WebhookInput> {
  const { rateLimit, timeout, headers, ...rest } = input;
  return {
    ...rest,
    ...(rateLimit !== null ? { rateLimit } : {}),
    ...(timeout !== null ? { timeout } : {}),
    ...(headers !== null ? { headers } : {}),
  };
}

/** The fields that differ from the stored webhook: PATCH sends only those (null clears a control). */
export function changedFields(before: WebhookInput, after: WebhookInput): Partial<WebhookInput> {
  const same = (key: keyof WebhookInput) => JSON.stringify(before[key]) === JSON.stringify(after[key]);
  const changes: Partial<WebhookInput> = {};
  for (const key of Object.keys(after) as (keyof WebhookInput)[]) {
    if (!same(key)) Object.assign(changes, { [key]: after[key] });
  }
  return changes;
}
