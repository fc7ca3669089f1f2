import { isOperationalEventType } from '@app/contracts';

/**
 * An ordinary webhook receives the tenant's own events; an operational one receives only the events the
 * service emits about the tenant's endpoints and jobs (OperationalEventType), and is managed through
 * /v1/operational-webhooks. Webhooks from before kinds have none and are ordinary.
 */
export enum WebhookKind {
  Ordinary = 'ordinary',
  Operational = 'operational',
}

export const kindOf = (webhook: { eventTypes: string[]; kind?: WebhookKind }): WebhookKind =>
  webhook.kind ?? WebhookKind.Ordinary;

/** The kind of webhook an event of this type goes to. */
export const kindReceiving = (eventType: string): WebhookKind =>
  isOperationalEventType(eventType) ? WebhookKind.Operational : WebhookKind.Ordinary;

/** A filter on webhooks of one kind; `$ne` so that webhooks stored without a kind count as ordinary. */
export const kindFilter = (kind: WebhookKind): Record<string, unknown> =>
  kind === WebhookKind.Operational ? { kind: WebhookKind.Operational } : { kind: { $ne: WebhookKind.Operational } };
