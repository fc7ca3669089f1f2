import { Injectable, NotFoundException } from '@nestjs/common';
import { kindOf, TenantId, WebhookDocument, WebhookKind, WebhookRepository } from '@app/persistence';

export const WEBHOOK_NOT_FOUND = 'Webhook not found';

export interface GetWebhookCommand {
  tenantId: TenantId;
  webhookId: string;
  /** Ordinary unless named: each kind has its own routes, and the other kind's webhooks are not found there. */
  kind?: WebhookKind;
}

/** A webhook of the caller's tenant; another tenant's webhook is "not found", never "forbidden". */
@Injectable()
export class GetWebhookUseCase {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(command: GetWebhookCommand): Promise<WebhookDocument> {
    const webhook = await this.webhooks.findById(command.tenantId, command.webhookId);
    if (!webhook || kindOf(webhook) !== (command.kind ?? WebhookKind.Ordinary)) {
      throw new NotFoundException(WEBHOOK_NOT_FOUND);
    }
    return webhook;
  }
}
