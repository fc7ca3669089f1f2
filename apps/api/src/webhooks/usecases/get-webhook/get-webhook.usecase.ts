import { Injectable, NotFoundException } from '@nestjs/common';
import { TenantId, WebhookDocument, WebhookRepository } from '@app/persistence';

export const WEBHOOK_NOT_FOUND = 'Webhook not found';

export interface GetWebhookCommand {
  tenantId: TenantId;
  webhookId: string;
}

/** A webhook of the caller's tenant; another tenant's webhook is "not found", never "forbidden". */
@Injectable()
export class GetWebhookUseCase {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(command: GetWebhookCommand): Promise<WebhookDocument> {
    const webhook = await this.webhooks.findById(command.tenantId, command.webhookId);
    if (!webhook) throw new NotFoundException(WEBHOOK_NOT_FOUND);
    return webhook;
  }
}
