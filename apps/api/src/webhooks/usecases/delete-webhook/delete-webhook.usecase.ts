import { Injectable, NotFoundException } from '@nestjs/common';
import { DeliveryStatus } from '@app/contracts';
import { DeliveryRepository, EventRepository, TenantId, WebhookKind, WebhookRepository } from '@app/persistence';
import { DeletedWebhookDto } from '../../dtos/webhook.dto';
import { WEBHOOK_NOT_FOUND } from '../get-webhook/get-webhook.usecase';

export interface DeleteWebhookCommand {
  tenantId: TenantId;
  webhookId: string;
  kind?: WebhookKind;
}

/**
 * Hard delete. Delivery rows and attempt logs stay (history); the webhook's open deliveries end here as
 * failed with webhook_deleted. The webhook goes first: deliveries this leaves open (past the bound, or a
 * failure in between) are ended by the dispatcher when a command for them finds the webhook gone.
 */
@Injectable()
export class DeleteWebhookUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly events: EventRepository,
  ) {}

  async execute(command: DeleteWebhookCommand): Promise<DeletedWebhookDto> {
    if (!(await this.webhooks.deleteById(command.tenantId, command.webhookId, command.kind))) {
      throw new NotFoundException(WEBHOOK_NOT_FOUND);
    }
    const eventIds = await this.deliveries.failOpenOfDeletedWebhook(command.tenantId, command.webhookId);
    await this.events.setTargetStatus(eventIds, command.webhookId, DeliveryStatus.Failed);
    return { webhookId: command.webhookId, deleted: true };
  }
}
