import { WebhookDocument } from '@app/persistence';
import { OperationalWebhookDto } from './dtos/operational-webhook.dto';

/** The stored operational webhook as the API shows it; the secrets are deliberately left out. */
export function toOperationalWebhookDto(webhook: WebhookDocument): OperationalWebhookDto {
  return {
    webhookId: webhook._id,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    description: webhook.description,
    active: webhook.active,
    disabledReason: webhook.disabledReason,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}
