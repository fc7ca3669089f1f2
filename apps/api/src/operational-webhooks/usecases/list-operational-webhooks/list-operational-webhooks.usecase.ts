import { Injectable } from '@nestjs/common';
import { Page, TenantId, WebhookKind, WebhookRepository } from '@app/persistence';
import { cursorPosition } from '../../../http/page-query.dto';
import { OperationalWebhookDto } from '../../dtos/operational-webhook.dto';
import { toOperationalWebhookDto } from '../../operational-webhook-view';

export interface ListOperationalWebhooksCommand {
  tenantId: TenantId;
  limit: number;
  cursor?: string;
}

@Injectable()
export class ListOperationalWebhooksUseCase {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(command: ListOperationalWebhooksCommand): Promise<Page<OperationalWebhookDto>> {
    const after = cursorPosition(command.cursor);
    const page = await this.webhooks.findPage(command.tenantId, after, command.limit, WebhookKind.Operational);
    return { items: page.items.map(toOperationalWebhookDto), nextCursor: page.nextCursor };
  }
}
