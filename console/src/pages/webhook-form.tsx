import { useState } from 'preact/hooks';
import { messageOf } from '../api/client';
import type { WebhookInput } from '../api/types';
import { ErrorMessage } from '../components/messages';

export const NEW_WEBHOOK: WebhookInput = { url: '', description: '', eventTypes: [], active: true, fifo: false };

/** Event types as typed: separated by commas, spaces or new lines; none means every type. */
export const parseEventTypes = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/**
 * The fields of a webhook, for create and edit. Each field is read back in `readForm`; a new API field
 * (say, per-endpoint delivery controls) is one more input here and one more line there. The API is the
 * one validator (the form sets noValidate), so its message names what is wrong.
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
  };
}

/** The fields that differ from the stored webhook: PATCH sends only those. */
export function changedFields(before: WebhookInput, after: WebhookInput): Partial<WebhookInput> {
  const changes: Partial<WebhookInput> = {};
  if (after.url !== before.url) changes.url = after.url;
  if (after.description !== before.description) changes.description = after.description;
  if (after.eventTypes.join('\n') !== before.eventTypes.join('\n')) changes.eventTypes = after.eventTypes;
  if (after.active !== before.active) changes.active = after.active;
  if (after.fifo !== before.fifo) changes.fifo = after.fifo;
  return changes;
}
