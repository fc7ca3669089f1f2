import { Injectable, NotFoundException } from '@nestjs/common';
import { TenantId, WebhookRepository } from '@app/persistence';
import { DeletedWebhookDto } from '../../dtos/webhook.dto';
import { WEBHOOK_NOT_FOUND } from '../get-webhook/get-webhook.usecase';

export interface DeleteWebhookCommand {
  tenantId: TenantId;
  webhookId: string;
}

/**
 * Hard delete. Delivery rows and attempt logs stay (history); a delivery still queued for the webhook
 * is recorded by the dispatcher as failed with webhook_disabled.
 */
@Injectable()
export class DeleteWebhookUseCase {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(command: DeleteWebhookCommand): Promise<DeletedWebhookDto> {
    if (!(await this.webhooks.deleteById(command.tenantId, command.webhookId))) {
      throw new NotFoundException(WEBHOOK_NOT_FOUND);
    }
    return { webhookId: command.webhookId, deleted: true };
  }
}
