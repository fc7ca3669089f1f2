import { Injectable } from '@nestjs/common';
import { Page, TenantId, WebhookRepository } from '@app/persistence';
import { cursorPosition } from '../../../http/page-query.dto';
import { WebhookDto } from '../../dtos/webhook.dto';
import { toWebhookDto } from '../../webhook-view';

export interface ListWebhooksCommand {
  tenantId: TenantId;
  limit: number;
  cursor?: string;
}

@Injectable()
export class ListWebhooksUseCase {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(command: ListWebhooksCommand): Promise<Page<WebhookDto>> {
    const page = await this.webhooks.findPage(command.tenantId, cursorPosition(command.cursor), command.limit);
    return { items: page.items.map(toWebhookDto), nextCursor: page.nextCursor };
  }
}
