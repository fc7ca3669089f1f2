import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { CreatedWebhook } from '../api/types';
import { SigningSecret } from '../components/signing-secret';
import { href, navigate } from '../router';
import { createBody, NEW_WEBHOOK, WebhookForm } from './webhook-form';

/** Registers a webhook (POST /v1/webhooks) and shows its signing secret, which the API answers only here. */
export function NewWebhookPage() {
  const [created, setCreated] = useState<CreatedWebhook>();

  return (
    <>
      <p>
        <a href={href('/webhooks')}>← Webhooks</a>
      </p>
      <h1>New webhook</h1>
      {created ? (
        <>
          <p class="message message-ok" role="status">
            Created {created.url}
          </p>
          <SigningSecret
            heading="Signing secret"
            url={created.url}
            secret={created.secret}
            dismissLabel="I stored it, go to the webhook"
            onDismiss={() => navigate(`/webhooks/${created.webhookId}`)}
          >
            <p class="muted">
              Receivers check each delivery's <code>webhook-signature</code> header with it (Standard Webhooks).
            </p>
          </SigningSecret>
        </>
      ) : (
        <WebhookForm
          initial={NEW_WEBHOOK}
          submitLabel="Create webhook"
          busyLabel="Creating…"
          onSubmit={async (input) => {
            setCreated(await api<CreatedWebhook>('/v1/webhooks', { method: 'POST', body: createBody(input) }));
          }}
        />
      )}
    </>
  );
}
