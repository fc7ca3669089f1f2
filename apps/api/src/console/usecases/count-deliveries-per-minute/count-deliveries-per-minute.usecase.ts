import { Injectable } from '@nestjs/common';
import { TenantId } from '@app/persistence';
import { DeliveriesPerMinuteDto } from '../../dtos/deliveries-per-minute.dto';
import { DeliveryAttemptStatsReader } from '../../delivery-attempt-stats.reader';
import { minuteBuckets } from './minute-buckets';

export interface CountDeliveriesPerMinuteCommand {
  tenantId: TenantId;
  hours: number;
  webhookId?: string;
}

/** Delivery attempts of the tenant per minute and outcome, over the last `hours`, for the console's chart. */
@Injectable()
export class CountDeliveriesPerMinuteUseCase {
  constructor(private readonly stats: DeliveryAttemptStatsReader) {}

  async execute(command: CountDeliveriesPerMinuteCommand): Promise<DeliveriesPerMinuteDto> {
    const window = minuteBuckets(new Date(), command.hours * 60);
    await this.stats.forEachAttempt(
      command.tenantId,
      { from: window.from, to: window.to, webhookId: command.webhookId },
      window.count,
    );
    return { from: window.from, to: window.to, totals: window.totals, buckets: window.buckets };
  }
}
