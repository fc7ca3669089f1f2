import { WebhookDocument } from '@app/persistence';
import { WebhookDto } from './dtos/webhook.dto';
import { toHeadersObject } from './webhook-headers';

/** The stored webhook as the API shows it; the secrets are deliberately left out. */
export function toWebhookDto(webhook: WebhookDocument): WebhookDto {
  return {
    webhookId: webhook._id,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    description: webhook.description,
    active: webhook.active,
    fifo: webhook.fifo,
    rateLimit: webhook.rateLimit ?? null,
    timeout: webhook.timeoutMs ?? null,
    headers: toHeadersObject(webhook.headers),
    disabledReason: webhook.disabledReason,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}
