import { Injectable } from '@nestjs/common';
import { TenantId } from '@app/persistence';
import { WebhookSuccessRatesDto } from '../../dtos/webhook-success-rate.dto';
import { DeliveryAttemptStatsReader } from '../../delivery-attempt-stats.reader';

/** The webhooks list shows the share of successful attempts over the last day. */
export const SUCCESS_RATE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface GetWebhookSuccessRatesCommand {
  tenantId: TenantId;
  webhookIds: string[];
}

/**
 * Success rate per webhook over the last 24 h. An id of another tenant (or of no webhook) simply has no
 * attempts: the query is scoped to the caller's tenant, so nothing leaks and no lookup is needed.
 */
@Injectable()
export class GetWebhookSuccessRatesUseCase {
  constructor(private readonly stats: DeliveryAttemptStatsReader) {}

  async execute(command: GetWebhookSuccessRatesCommand): Promise<WebhookSuccessRatesDto> {
    const to = new Date();
    const from = new Date(to.getTime() - SUCCESS_RATE_WINDOW_MS);
    const counts = await this.stats.countByWebhookAndSuccess(command.tenantId, command.webhookIds, { from, to });
    const items = command.webhookIds.map((webhookId) => {
      const mine = counts.filter((row) => row.webhookId === webhookId);
      const attempts = mine.reduce((sum, row) => sum + row.count, 0);
      const succeeded = mine.filter((row) => row.success).reduce((sum, row) => sum + row.count, 0);
      return { webhookId, attempts, succeeded, successRate: attempts === 0 ? null : succeeded / attempts };
    });
    return { from, to, items };
  }
}
