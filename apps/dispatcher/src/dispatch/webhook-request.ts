import { EventDocument, WebhookHeader, WebhookSecret } from '@app/persistence';
import { signatureHeader } from '../signing/webhook-signer';

export const USER_AGENT = 'WebhookDelivery/0.1 (+webhook-delivery)';

/**
 * The JSON envelope a receiver gets. The payload text is spliced in as stored, never parsed and
 * re-serialised, so what the customer sent is what the receiver verifies.
 */
export function envelopeBody(event: Pick<EventDocument, '_id' | 'type' | 'createdAt' | 'payloadJson'>): string {
  return `{"id":${JSON.stringify(event._id)},"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(
    event.createdAt.toISOString(),
  )},"data":${event.payloadJson}}`;
}

/**
 * Standard Webhooks headers; `webhook-id` is the event id, the same on every retry, so receivers can dedupe.
 * The webhook's own static headers go first: the API refuses the names set here, and these win regardless.
 */
export function webhookHeaders(
  eventId: string,
  body: string,
  secrets: WebhookSecret[],
  now: Date,
  custom: WebhookHeader[] = [],
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    ...Object.fromEntries(custom.map(({ name, value }) => [name, value])),
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, eventId, timestamp, body, now),
  };
}
